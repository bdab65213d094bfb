"""Translate a SAM template into plain CloudFormation JSON with aws-sam-translator.

Usage: python3 sam-translate.py TEMPLATE > translated.json

The same library `sam deploy` and CloudFormation's AWS::Serverless transform
use. No AWS call is made: the managed-policy loader is never needed for an
AWS::Serverless::Api, and answers nothing if asked.
"""
import json
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    def load(self):
        return {}


def main():
    with open(sys.argv[1]) as f:
        template = yaml_parse(f.read())
    out = transform(template, {}, NoManagedPolicies())
    json.dump(out, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
