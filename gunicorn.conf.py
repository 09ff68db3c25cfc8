"""gunicorn's own settings, read from the working directory (the image's /app) without
any command-line option; the command line (Dockerfile, docker-compose.yml) still sets the
address, the workers and the access log.

The `Server` header names the product only: gunicorn would name itself, which tells an
attacker which server's flaws to try.
"""

import gunicorn.http.wsgi

gunicorn.http.wsgi.SERVER = "AgenPlan"
