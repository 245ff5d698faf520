"""Worker nodes as EKS shows them: the Node objects, and the node lifecycle controller's rules."""
