"""Files for running the tool in production, shipped in the wheel (docs/deploy.md).

``gunicorn -c python:lti_tool.deploy.gunicorn_conf`` serves the tool; ``flask --app lti_tool
deploy files DIR`` copies gunicorn.conf.py and the example systemd units into DIR to adapt.
"""
