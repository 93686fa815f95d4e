#!/bin/sh
# t-check-desc: mlpkg check on the rules of a description, for every kind:
# functions only on ML programs (and nothing of their own beside them),
# states (where they stand, what they may be), flexible shapes set but
# empty, length ranges, default values; and the versions info says such
# models need.  Small models made with Python; every verdict here is the
# one Apple's validator gives.
. "${top_srcdir:-.}/tests/lib.sh"

if have_python; then
	pyscript "$TMP" <<'PY'
# the models: an identity and a small ML program, then one mutation a
# rule, each written to sys.argv[1] as NAME.mlmodel
import os, sys
from pydecode import load_schema
pb = load_schema()
out = sys.argv[1]
DOUBLE, FLOAT32, FLOAT16, INT32, INT8 = 65600, 65568, 65552, 131104, 131080
MIL = {FLOAT32: 11, FLOAT16: 10, INT8: 21}

def array(t, dims, dt=DOUBLE):
    t.multiArrayType.shape.extend(dims)
    t.multiArrayType.dataType = dt
    return t.multiArrayType

def add(lst, name, dims=(3,), dt=DOUBLE):
    f = lst.add()
    f.name = name
    array(f.type, dims, dt)
    return f

def state(lst, name, dims=(1, 4), dt=FLOAT16):
    f = lst.add()
    f.name = name
    a = f.type.stateType.arrayType
    a.shape.extend(dims)
    a.dataType = dt
    return f

def identity(v=1):
    m = pb.Model()
    m.specificationVersion = v
    add(m.description.input, "x")
    add(m.description.output, "y")
    m.identity.SetInParent()
    return m

def tensor(vt, dt, dims):
    vt.tensorType.dataType = dt
    vt.tensorType.rank = len(dims)
    for d in dims:
        vt.tensorType.dimensions.add().constant.size = d

def program(v=6):
    # main(x: fp32[1,4]) -> y = relu(x)
    m = pb.Model()
    m.specificationVersion = v
    add(m.description.input, "x", (1, 4), FLOAT32)
    add(m.description.output, "y", (1, 4), FLOAT32)
    p = m.mlProgram
    p.version = 1
    fn = p.functions["main"]
    i = fn.inputs.add()
    i.name = "x"
    tensor(i.type, 11, [1, 4])
    fn.opset = "CoreML5"
    blk = fn.block_specializations["CoreML5"]
    blk.outputs.append("y")
    op = blk.operations.add()
    op.type = "relu"
    op.inputs["x"].arguments.add().name = "x"
    o = op.outputs.add()
    o.name = "y"
    tensor(o.type, 11, [1, 4])
    return m

def program_input(m, name, dt, st=False):
    i = m.mlProgram.functions["main"].inputs.add()
    i.name = name
    tensor(i.type.stateType.wrappedType if st else i.type, MIL[dt], [1, 4])

def functions(m, v=9):
    # the description moved into one function, "main"
    d = m.description
    f = d.functions.add()
    f.name = "main"
    f.input.extend(d.input)
    f.output.extend(d.output)
    del d.input[:]
    del d.output[:]
    d.defaultFunctionName = "main"
    m.specificationVersion = v
    return f

models = {}
def model(name):
    def reg(fn):
        models[name] = fn
        return fn
    return reg

@model("id_base")
def _(): return identity()
@model("id_functions")
def _():
    m = identity(9); functions(m); return m
def id_state(v=9, where="state", **kw):
    # an identity of version v with a state 'st' in its list where
    m = identity(v)
    return m, state(getattr(m.description, where), "st", **kw)

models.update({
    "id_state_output": lambda: id_state(where="output")[0],
    "id_state_input": lambda: id_state(where="input")[0],
    "id_state_v8": lambda: id_state(8)[0],
    "id_state_ok": lambda: id_state()[0],
    "id_state_int8_v9": lambda: id_state(dt=INT8)[0],
    "id_state_fp32": lambda: id_state(dt=FLOAT32)[0],
    "id_state_noshape": lambda: id_state(dims=())[0],
})
@model("id_state_nonstate")
def _():
    m = identity(9); add(m.description.state, "st"); return m
def st_optional():
    m, f = id_state(); f.type.isOptional = True; return m
def st_flexible():
    m, f = id_state(); f.type.stateType.arrayType.enumeratedShapes.shapes.add().shape.extend([1, 4]); return m
def st_default():
    m, f = id_state(); f.type.stateType.arrayType.floatDefaultValue = 1.0; return m
models.update(id_state_optional=st_optional, id_state_flexible=st_flexible, id_state_default=st_default)
@model("id_default_fn_only")
def _():
    m = identity(9); m.description.defaultFunctionName = "main"; return m
@model("id_range_reversed_upper0")
def _():
    m = identity(3)
    r = add(m.description.input, "e", dims=()).type.multiArrayType.shapeRange.sizeRanges.add()
    r.lowerBound = 4
    r.upperBound = 0
    return m
def extra(dims=(3,)):
    # an identity of version 3 with one more multi-array input, 'e'
    m = identity(3)
    return m, add(m.description.input, "e", dims).type.multiArrayType
def flex_empty(which, dims=(3,)):
    m, a = extra(dims); getattr(a, which).SetInParent(); return m
def enum_zero_rank():
    m, a = extra(); a.enumeratedShapes.shapes.add(); return m
models.update({
    "id_enum_empty": lambda: flex_empty("enumeratedShapes"),
    "id_enum_zero_rank": enum_zero_rank,
    "id_range_empty": lambda: flex_empty("shapeRange", ()),
    "id_range_empty_shape": lambda: flex_empty("shapeRange"),
})
@model("id_img_enum_empty")
def _():
    m = identity(3)
    f = m.description.input.add()
    f.name = "img"
    t = f.type.imageType
    t.width = t.height = 8
    t.colorSpace = 20  # GRAYSCALE
    t.enumeratedSizes.SetInParent()
    return m
def sequence(lo, hi):
    # an identity with a string sequence of length lo..hi besides
    m = identity(3)
    f = m.description.input.add()
    f.name = "s"
    f.type.sequenceType.stringType.SetInParent()
    f.type.sequenceType.sizeRange.lowerBound = lo
    f.type.sequenceType.sizeRange.upperBound = hi
    return m
@model("id_seq_reversed")
def _(): return sequence(5, 2)
@model("id_seq_upper0")
def _(): return sequence(5, 0)
@model("id_default_mismatch")
def _():
    m = identity(5); m.description.input[0].type.multiArrayType.floatDefaultValue = 1.0; return m
@model("id_pfn_dangling")
def _():
    m = identity(); m.description.predictedFeatureName = "nope"; return m
@model("mlp_base")
def _(): return program()
@model("mlp_int8_default_ok")
def _():
    m = program(10)
    f = add(m.description.input, "opt", (1, 4), INT8)
    f.type.isOptional = True
    f.type.multiArrayType.intDefaultValue = -5
    program_input(m, "opt", INT8)
    return m
@model("mlp_int8_default_oob")
def _():
    m = program(10)
    f = add(m.description.input, "opt", (1, 4), INT8)
    f.type.isOptional = True
    f.type.multiArrayType.intDefaultValue = 300
    program_input(m, "opt", INT8)
    return m
@model("mlp_state_int8_v9")
def _():
    m = program(9); state(m.description.state, "acc", dt=INT8); program_input(m, "acc", INT8, True); return m
@model("mlp_state_v8")
def _():
    m = program(8); state(m.description.state, "acc"); program_input(m, "acc", FLOAT16, True); return m
@model("mlp_functions")
def _():
    m = program(); functions(m); return m
@model("mlp_functions_state_fp32")
def _():
    m = program(); f = functions(m); state(f.state, "acc", dt=FLOAT32); program_input(m, "acc", FLOAT16, True); return m
@model("mlp_functions_top_input")
def _():
    m = program(); functions(m); add(m.description.input, "x", (1, 4), FLOAT32); return m
@model("mlp_functions_top_output")
def _():
    m = program(); functions(m); add(m.description.output, "y", (1, 4), FLOAT32); return m
@model("mlp_functions_top_training")
def _():
    m = program(); functions(m); add(m.description.trainingInput, "x", (1, 4), FLOAT32); return m
@model("mlp_functions_top_pfn")
def _():
    m = program(); functions(m); m.description.predictedFeatureName = "y"; return m

for name, fn in models.items():
    with open(os.path.join(out, name + ".mlmodel"), "wb") as fh:
        fh.write(fn().SerializeToString())
PY
	# NAME EXIT PATTERN: check exits EXIT, and its output holds PATTERN
	while read -r name code pattern; do
		expect_exit "$code" "$name: exit $code" "$MLPKG" check "$TMP/$name.mlmodel"
		check "... $pattern" grep -q -- "$pattern" "$TMP/out"
	done <<'EOT'
id_base 0 : ok$
id_functions 1 error: description: functions (or a default function name) in a model of type identity
id_default_fn_only 1 error: description: functions (or a default function name) in a model of type identity
id_state_output 1 error: description.output\[1\]: state 'st' is an output
id_state_input 0 : ok$
id_state_nonstate 1 error: description.state\[0\]: 'st' is among the states but is not of the state type
id_state_v8 1 error: description.state\[0\]: 'st' is a state, which needs specification version 9
id_state_ok 0 : ok$
id_state_int8_v9 0 : ok$
id_state_fp32 1 state 'st' holds float32 values: Core ML takes float16 (or int8) states
id_state_optional 1 state 'st' is optional
id_state_noshape 1 state 'st' has no shape
id_state_flexible 1 state 'st' has flexible shapes
id_state_default 1 state 'st' has a default value
id_enum_empty 1 error: description.input\[1\]: multi-array 'e': its list of enumerated shapes is empty
id_enum_zero_rank 1 multi-array 'e': enumerated shape 0 has no dimensions
id_range_empty 0 : ok$
id_range_empty_shape 1 multi-array 'e': a 1-dimensional shape with an empty shape range
id_range_reversed_upper0 0 : ok$
id_img_enum_empty 1 image 'img': its list of enumerated sizes is empty
id_seq_reversed 1 sequence 's': its length range has its lower bound above its upper
id_seq_upper0 0 : ok$
id_default_mismatch 1 input 'x': a float default value for a double multi-array
id_pfn_dangling 0 warning: description: predictedFeatureName 'nope' is not an output
mlp_base 0 : ok$
mlp_functions 0 : ok$
mlp_functions_state_fp32 1 error: description.functions\[0\].state\[0\]: state 'acc' holds float32 values
mlp_functions_top_input 1 the description has functions, so its own inputs must stay empty
mlp_functions_top_output 1 the description has functions, so its own outputs must stay empty
mlp_functions_top_training 1 the description has functions, so its own training inputs must stay empty
mlp_functions_top_pfn 1 the description has functions, so its own predictedFeatureName must stay empty
mlp_int8_default_ok 0 : ok$
mlp_int8_default_oob 1 error: description.input\[1\]: multi-array 'opt': default value 300 does not fit in an int8
mlp_state_int8_v9 0 : ok$
mlp_state_v8 1 'acc' is a state, which needs specification version 9
EOT
	# the version each needs: flexible shapes count when set, even empty;
	# a state needs 9 whatever its data type
	while read -r name need; do
		run "$MLPKG" info --json "$TMP/$name.mlmodel"
		check "$name: needs version $need" grep -q "\"neededVersion\": $need," "$TMP/out"
	done <<'EOT'
id_base 1
id_range_empty 3
id_enum_empty 3
id_img_enum_empty 3
id_state_int8_v9 9
mlp_state_int8_v9 9
mlp_int8_default_ok 10
EOT
else
	skip "python3-protobuf missing: the description rules"
fi
done_testing
