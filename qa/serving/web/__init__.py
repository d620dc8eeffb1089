"""The web app's parts that are not Gradio layout: its page assets, how evidence is shown,
and how a build's progress is reported. `app.py` wires them into the page."""
