#!/usr/bin/env python3
"""Fails when a file of a layer of exporter/src includes a layer it may not use.

Usage: check_layers.py SRC_DIR LAYER:DEP,DEP... [LAYER:...]

The layers and what each may use come from exporter/CMakeLists.txt (freshness_layer), the same
list that decides what each layer's library links. A layer may include its own folder and,
transitively, the layers it uses; a folder of SRC_DIR that is not a layer, or a file at its top
(main.cc), may include anything.
"""

import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"/]+)/[^"]+"', re.MULTILINE)


def main(argv):
    src = argv[1]
    direct = {}
    for spec in argv[2:]:
        name, _, deps = spec.partition(":")
        direct[name] = [dep for dep in deps.split(",") if dep]
    unknown = sorted({dep for deps in direct.values() for dep in deps} - set(direct))
    if unknown:
        print("layers used but not declared: " + ", ".join(unknown))
        return 1

    def below(name, seen=None):
        seen = set() if seen is None else seen
        for dep in direct[name]:
            if dep not in seen:
                seen.add(dep)
                below(dep, seen)
        return seen

    allowed = {name: below(name) | {name} for name in direct}
    problems = []
    for layer in sorted(direct):
        folder = os.path.join(src, layer)
        if not os.path.isdir(folder):
            problems.append(f"{layer}: declared in CMake but there is no folder {folder}")
            continue
        for root, _, files in os.walk(folder):
            for file in sorted(files):
                path = os.path.join(root, file)
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
                for match in INCLUDE.finditer(text):
                    used = match.group(1)
                    if used in direct and used not in allowed[layer]:
                        line = text.count("\n", 0, match.start()) + 1
                        rel = os.path.relpath(path, src)
                        problems.append(
                            f"{rel}:{line}: layer {layer} includes {used}/, which is not below it "
                            f"(it may use: {', '.join(sorted(allowed[layer] - {layer})) or 'nothing'})")
    for folder in sorted(os.listdir(src)):
        if os.path.isdir(os.path.join(src, folder)) and folder not in direct:
            problems.append(f"{folder}/: a folder of {src} that is no layer in exporter/CMakeLists.txt")
    for problem in problems:
        print(problem)
    if not problems:
        print(f"{len(direct)} layers, every include goes downward")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
