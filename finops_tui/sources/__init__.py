"""Where cost rows come from: AWS (boto3), FOCUS exports, and the built-in demo."""
