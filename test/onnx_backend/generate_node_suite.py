#!/usr/bin/env python3
"""generate_node_suite.py - writes current ONNX's backend node test cases.

The onnx wheels on PyPI carry the code that defines each node test case
(inputs, expected outputs from ONNX's reference implementation) but not
the generated files; this writes them, one folder per case with
model.onnx and test_data_set_*/{input,output}_K.pb, as ONNX's own
`backend-test-tools generate-data` does for its model cases.

Usage: python generate_node_suite.py OUTPUT_DIR   (needs `pip install onnx`)
"""

import argparse
import sys

import onnx.backend.test.case.model as model_cases
import onnx.backend.test.case.node as node_cases
import onnx.backend.test.cmd_tools as tools


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    # generate_data writes whatever collect_testcases returns, under
    # OUTPUT/<kind>/<name>: point it at the node cases.
    model_cases.collect_testcases = node_cases.collect_testcases
    tools.generate_data(argparse.Namespace(output=sys.argv[1]))


if __name__ == "__main__":
    main()
