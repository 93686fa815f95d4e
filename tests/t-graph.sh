#!/bin/sh
# t-graph: mlpkg graph on every fixture and example: Graphviz parses the DOT,
# node and edge counts agree with mlpkg layers --json, Mermaid passes a
# structural check, output is deterministic, names are escaped safely.
. "${top_srcdir:-.}/tests/lib.sh"

have_dot() { command -v dot >/dev/null 2>&1; }
# same_graph A B: A is not empty (two empty outputs are not a graph) and B
# has the same bytes
same_graph() { [ -s "$1" ] && same_bytes "$1" "$2"; }

# counts DOT_FILE LAYERS_JSON CONSTS: node ids n<k> are the layers and ops,
# plain edges between them the bindings mlpkg layers lists (one per producer
# and consumer; const ops left out unless CONSTS is 1)
counts() {
	"$PYTHON3" - "$@" <<'EOF'
import json, re, sys
dot, lay, consts = open(sys.argv[1], encoding="utf-8").read(), json.load(open(sys.argv[2])), sys.argv[3] == "1"
assert lay["version"] == 1 and len(lay["models"]) == 1, lay
lay = lay["models"][0]
nodes = set(re.findall(r'^\s*(n\d+) \[label=', dot, re.M))
edges = set()
for a, b, attrs in re.findall(r'^\s*(\w+) -> (\w+)(?: \[(.*)\])?;$', dot, re.M):
    if a.startswith("n") and b.startswith("n") and "class=" not in attrs:
        edges.add((a, b))
want_nodes, want_edges = 0, 0
def walk(items, ins, outs):
    global want_nodes, want_edges
    scope, pairs = {}, set()
    for k, it in enumerate(items):
        if it["kind"] == "const" and not consts:
            continue
        want_nodes += 1
        for n in ins(it):
            if n in scope:
                pairs.add((scope[n], k))
        for n in outs(it):
            scope[n] = k
    want_edges += len(pairs)
by = {}
for l in lay["layers"]:
    by.setdefault(("L", l.get("member", "")), []).append(l)
for o in lay["operations"]:
    by.setdefault(("O", o.get("member", ""), o["function"]), []).append(o)
for key, items in by.items():
    if key[0] == "L":
        walk(items, lambda l: l["inputs"], lambda l: l["outputs"])
    else:
        walk(items, lambda o: [b["name"] for v in o["inputs"].values() for b in v if "name" in b],
             lambda o: [x["name"] for x in o["outputs"]])
if len(nodes) != want_nodes or len(edges) != want_edges:
    sys.exit("nodes %d (want %d), edges %d (want %d)" % (len(nodes), want_nodes, len(edges), want_edges))
EOF
}

# mermaid_ok FILE: header, every edge's endpoints declared, subgraph/end balanced
mermaid_ok() {
	"$PYTHON3" - "$1" <<'EOF'
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
assert lines[0] == "flowchart TB", lines[0]
assert lines[-1] == "", "no final newline"
decl, edges, depth = set(), [], 0
for ln in lines[1:-1]:
    s = ln.strip()
    m = re.fullmatch(r'(\w+)(\["[^"]*"\]|\(\["[^"]*"\]\))', s)
    if m:
        decl.add(m.group(1)); continue
    m = re.fullmatch(r'(\w+) (-->|==>|-\.->)(?:\|"[^"]*"\|)? (\w+)', s)
    if m:
        edges.append((m.group(1), m.group(3))); continue
    if re.fullmatch(r'subgraph \w+ \["[^"]*"\]', s):
        depth += 1; continue
    if s == "end":
        depth -= 1; assert depth >= 0, "end without subgraph"; continue
    sys.exit("bad line: %r" % ln)
assert depth == 0, "unbalanced subgraph"
for a, b in edges:
    assert a in decl and b in decl, (a, b)
EOF
}

graph_checks() { # NAME MODEL
	name=$1 model=$2
	expect_exit 0 "$name: graph" "$MLPKG" graph "$model"
	cp "$TMP/out" "$TMP/g1.dot"
	if have_dot; then
		check "$name: dot parses it" sh -c "[ -s '$TMP/g1.dot' ] && dot -Tsvg -o '$TMP/g.svg' '$TMP/g1.dot'"
	else
		skip "$name: no Graphviz dot"
	fi
	run "$MLPKG" graph "$model"
	check "$name: same bytes twice" same_graph "$TMP/out" "$TMP/g1.dot"
	run "$MLPKG" layers --json "$model"
	cp "$TMP/out" "$TMP/lay.json"
	run "$MLPKG" graph --consts "$model"
	cp "$TMP/out" "$TMP/gc.dot"
	if [ -x "$PYTHON3" ]; then
		check "$name: nodes and edges match layers (--consts)" counts "$TMP/gc.dot" "$TMP/lay.json" 1
		check "$name: nodes and edges match layers (consts folded)" counts "$TMP/g1.dot" "$TMP/lay.json" 0
		run "$MLPKG" graph --format mermaid "$model"
		check "$name: mermaid passes the structural check" mermaid_ok "$TMP/out"
	else
		skip "$name: no python3"; skip "$name: no python3"; skip "$name: no python3"
	fi
}

for k in nn:TinyNet.mlmodel nnclassifier:Classifier.mlmodel pipeline:Pipeline.mlmodel segmentation:DeepLab.mlpackage multifunction:Multi.mlpackage; do
	kind=${k%%:*} name=${k#*:}
	"$MKMODEL" "$kind" "$TMP/$name" >/dev/null 2>&1 || not_ok "mkmodel $kind"
	graph_checks "example $name" "$TMP/$name"
done

if fixtures_or_skip "graph on every fixture (dot parses it, same bytes twice, counts against layers, Mermaid), the undecodable one refused"; then
	for f in $(fixture_models); do
		graph_checks "$(basename "$f")" "$f"
	done
	expect_exit 4 "an undecodable model: exit 4" "$MLPKG" graph "$FIXTURES/$UNDECODABLE"
fi

# what the picture shows
run "$MLPKG" graph "$TMP/DeepLab.mlpackage"
check "model input and output as ellipses" sh -c "grep -q '^  in0 \[label=\"image.*shape=ellipse' '$TMP/out' && grep -q '^  out0 \[label=\"semanticPredictions' '$TMP/out'"
check "functions and nested blocks as clusters" sh -c "grep -q 'label=\"function main\"' '$TMP/out' && grep -q 'label=\"cond semanticPredictions: block 1\"' '$TMP/out'"
check "shapes on the edges" grep -q 'n1 -> n2 \[label="fp16\[1,16,256,256\]"\]' "$TMP/out"
check "consts folded into their consumer" sh -c "grep -q 'weight: fp16\[16,3,3,3\]' '$TMP/out' && ! grep -q 'label=\"const' '$TMP/out'"
check "block results go to their op" grep -q 'class="result"' "$TMP/out"
run "$MLPKG" graph --consts "$TMP/DeepLab.mlpackage"
check "--consts draws const ops" grep -q 'label="const\\nbackbone_conv1_weight_to_fp16' "$TMP/out"
run "$MLPKG" graph "$TMP/Pipeline.mlmodel"
check "pipeline members as clusters joined by features" sh -c "grep -q 'subgraph cluster_1' '$TMP/out' && grep -q 'class=\"feature\"' '$TMP/out'"

# parts of a model
run "$MLPKG" graph --grep '^conv$' "$TMP/DeepLab.mlpackage"
check "--grep keeps matching ops (and their inputs)" sh -c "[ \$(grep -c 'label=\"conv' '$TMP/out') -eq 2 ] && ! grep -q 'label=\"relu' '$TMP/out'"
run "$MLPKG" graph --around input_3_cast_fp16 --depth 1 "$TMP/DeepLab.mlpackage"
check "--around NAME --depth 1: the node and its neighbours" sh -c "[ \$(grep -c '^ *n[0-9]* \[' '$TMP/out') -eq 3 ]"
run "$MLPKG" graph --around bn1_output --depth 0 "$TMP/TinyNet.mlmodel"
check "--around a value's name (a blob): the layer making it and the one reading it" sh -c "[ \$(grep -c '^ *n[0-9]* \[' '$TMP/out') -eq 2 ] && grep -q 'batchnorm\\\\nbn1' '$TMP/out' && grep -q 'activation\\\\nrelu1' '$TMP/out'"
expect_exit 3 "--around an unknown name: exit 3" "$MLPKG" graph --around no_such_op "$TMP/DeepLab.mlpackage"
expect_exit 2 "--format unknown: exit 2" "$MLPKG" graph --format svg "$TMP/DeepLab.mlpackage"
expect_exit 2 "--grep with a bad expression: exit 2" "$MLPKG" graph --grep '(' "$TMP/DeepLab.mlpackage"
expect_exit 2 "--depth without --around: exit 2" "$MLPKG" graph --depth 3 "$TMP/DeepLab.mlpackage"
check "... saying so" grep -q -- "--depth goes with --around" "$TMP/err"
expect_exit 0 "-o writes a file" "$MLPKG" graph -o "$TMP/o.dot" "$TMP/TinyNet.mlmodel"
run "$MLPKG" graph "$TMP/TinyNet.mlmodel"
check "-o: the same bytes as stdout" same_graph "$TMP/out" "$TMP/o.dot"

# hostile names: quotes, backslashes, newlines, markup, UTF-8
cp "$TMP/TinyNet.mlmodel" "$TMP/Hostile.mlmodel"
bad=$(printf 'in "q" \\b\n<x>#1; \303\251\342\202\254')
if "$MLPKG" rename input "$bad" "$TMP/Hostile.mlmodel" >/dev/null 2>&1; then
	run "$MLPKG" graph "$TMP/Hostile.mlmodel"
	cp "$TMP/out" "$TMP/h.dot"
	check "DOT: quotes, backslashes and newlines escaped" grep -q 'in0 \[label="in \\"q\\" \\\\b\\\\n<x>#1; é€\\n' "$TMP/h.dot"
	if have_dot; then check "DOT with hostile names parses" dot -Tsvg -o "$TMP/h.svg" "$TMP/h.dot"; else skip "no dot"; fi
	run "$MLPKG" graph --format mermaid "$TMP/Hostile.mlmodel"
	check "Mermaid: quotes and markup as entities" grep -q 'in #quot;q#quot; \\b\\n#lt;x#gt;#35;1; é€<br>' "$TMP/out"
	if [ -x "$PYTHON3" ]; then check "Mermaid with hostile names passes the check" mermaid_ok "$TMP/out"; else skip "no python3"; fi
else
	not_ok "rename to a hostile name"
fi

done_testing
