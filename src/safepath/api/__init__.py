"""The HTTP interface: FastAPI app, ``/api/v1`` routers and the page routes of ``safepath.web``."""
