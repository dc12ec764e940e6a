"""The Textual console. Reads the Snapshot view-model; never calls boto3."""
