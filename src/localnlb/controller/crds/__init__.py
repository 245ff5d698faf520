"""CustomResourceDefinitions the controller installs (package data: ``*.yaml``)."""
