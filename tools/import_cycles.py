"""No import circle anywhere in src: every cycle between modules, found and reported.

import-linter's contracts guard layers between packages; a circle between two modules of one
package (``a`` imports ``b``, which imports ``a``, even only for type checking) slips through
them. This check builds the import graph with grimp (imports under ``TYPE_CHECKING`` count: they
are a circle in the design even when not at run time), finds its strongly connected components
and fails, naming each circle and its imports, if there is one.

Run: ``python -m tools.import_cycles [package]`` (``make lint`` runs it for ``localnlb``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable

import grimp


def cycles(modules: Iterable[str], imports_of: Callable[[str], set[str]]) -> list[list[str]]:
    """The import circles: each a sorted list of modules that all reach one another.

    Tarjan's strongly connected components, iterative (deep packages overflow recursion); a
    module importing itself counts as a circle of one.
    """
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(modules):
        if root in index:
            continue
        work: list[tuple[str, list[str]]] = [(root, sorted(imports_of(root)))]
        index[root] = lowest[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, pending = work[-1]
            if pending:
                imported = pending.pop()
                if imported not in index:
                    index[imported] = lowest[imported] = len(index)
                    stack.append(imported)
                    on_stack.add(imported)
                    work.append((imported, sorted(imports_of(imported))))
                elif imported in on_stack:
                    lowest[module] = min(lowest[module], index[imported])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                lowest[parent] = min(lowest[parent], lowest[module])
            if lowest[module] != index[module]:
                continue
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1 or module in imports_of(module):
                found.append(sorted(component))
    return sorted(found)


def graph_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    return cycles(graph.modules, graph.find_modules_directly_imported_by)


def describe(graph: grimp.ImportGraph, circle: list[str]) -> str:
    members = set(circle)
    lines = [f"import circle between {len(circle)} modules:"]
    for module in circle:
        for imported in sorted(graph.find_modules_directly_imported_by(module) & members):
            details = graph.get_import_details(importer=module, imported=imported)
            where = ", ".join(f"line {d['line_number']}" for d in details)
            lines.append(f"  {module} -> {imported} ({where})")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    package = argv[0] if argv else "localnlb"
    graph = grimp.build_graph(package, cache_dir=None)
    circles = graph_cycles(graph)
    for circle in circles:
        print(describe(graph, circle))
    if circles:
        print(
            f"{len(circles)} import circle(s) in {package}: break them (see docs/architecture.md)"
        )
        return 1
    print(f"No import circle in {package} ({len(graph.modules)} modules)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
