#!/usr/bin/env python3
"""Translates template.yaml with the SAM translator (aws-sam-translator, installed with cfn-lint) and prints the
CloudFormation template it deploys, as JSON. The local zips (CodeUri, ContentUri) are replaced by sample S3 URIs, as
`sam deploy` replaces them after uploading; nothing is called in AWS (no managed policy names are looked up).

    python3 scripts/sam-translate.py [template.yaml] [Name=Value ...]   # parameter values for SAM's own resolution
"""
import json
import os
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    def load(self):
        return {}


def s3_uris(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("CodeUri", "ContentUri") and isinstance(value, str) and not value.startswith("s3://"):
                node[key] = "s3://sample-bucket/" + value
            else:
                s3_uris(value)
    elif isinstance(node, list):
        for item in node:
            s3_uris(item)


def main(args):
    path = args[0] if args and "=" not in args[0] else "template.yaml"
    parameters = dict(a.split("=", 1) for a in args if "=" in a)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with open(path, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    s3_uris(template.get("Resources", {}))
    json.dump(transform(template, parameters, NoManagedPolicies()), sys.stdout, indent=1, sort_keys=True, default=str)
    print()


if __name__ == "__main__":
    main(sys.argv[1:])
