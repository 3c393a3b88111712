"""The package's version, in a module of its own so that any module may name it without
importing the package's public API."""

__version__ = "0.1.0"

# A browser's, with our name: some hosts answer plain clients with a block (hosts.md). Here
# so that the help can show it without importing the network.
DEFAULT_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    f"Chrome/126.0 Safari/537.36 linkcheck/{__version__}"
)
