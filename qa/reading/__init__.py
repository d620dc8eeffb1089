"""Reading documents: text out of each file format (`documents`), read in a sandboxed child
process for uploads (`sandbox`), cut into sentences and chunks (`chunking`).
"""
