"""Storing: the in-memory index (`index`), its build (`building`), the folder and Milvus
stores (`storage`, `milvus_store`, with `manifest`, `vectors`, `spill`, `locking`), and
the default corpus kept up to date (`collection`).
"""
