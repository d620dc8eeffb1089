"""Serving: the `qa` command (`cli`), the REST API (`rest`) and the web page's assets
(`web`); `app.py` at the top of the repository is the web app. They call the public
functions of `qa` and never each other.
"""
