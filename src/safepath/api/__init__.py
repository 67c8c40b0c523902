"""The JSON interface: the ``/api/v1`` routers (``safepath.api.router.build_router``), thin calls
into the domain services. The app itself is built by ``safepath.app``."""
