"""One module per page: register_page, layout(**kwargs), its callbacks. Thin."""
