"""Reads what the collector's AWS exporters wrote into the local AWS endpoint (moto server).

    python aws_read.py <endpoint> <service> <operation> '<json params>'

Prints the boto3 response as JSON. boto3 signs with the dummy credentials the tests set; the endpoint
is always a 127.0.0.1 URL.
"""
import json
import sys

import boto3


def main() -> None:
    endpoint, service, operation, params = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    client = boto3.client(service, endpoint_url=endpoint)
    result = getattr(client, operation)(**json.loads(params))
    result.pop("ResponseMetadata", None)
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
