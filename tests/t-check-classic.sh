#!/bin/sh
# t-check-classic: mlpkg check on the classic model kinds (tree ensembles,
# GLMs, support vector machines, a Bayesian probit regressor, class
# confidence thresholding): small valid models made with the schema pass,
# and copies broken one rule at a time are refused with that rule's
# message.  Each case was run through Apple's validator (coremltools'
# libmlmodel) when it was written: exit 1 here is a model Apple refuses,
# exit 0 one it accepts.
. "${top_srcdir:-.}/tests/lib.sh"

if python_or_skip "check of the classic model kinds"; then
	mkdir -p "$TMP/classic"
	pyscript "$TMP/classic" <<'PY'
import copy, math, os, sys
from pydecode import load_schema
pb = load_schema()
out = sys.argv[1]
DOUBLE, INT32 = 65600, 131104


def feature(coll, name, kind, shape=None, dtype=DOUBLE, key=None):
    f = coll.add()
    f.name = name
    if kind == 'double':
        f.type.doubleType.SetInParent()
    elif kind == 'int64':
        f.type.int64Type.SetInParent()
    elif kind == 'string':
        f.type.stringType.SetInParent()
    elif kind == 'dict':
        (f.type.dictionaryType.stringKeyType if key == 'string' else f.type.dictionaryType.int64KeyType).SetInParent()
    else:
        f.type.multiArrayType.shape.extend(shape or [2])
        f.type.multiArrayType.dataType = dtype


def model(version, inputs, outputs, pfn='', ppn=''):
    m = pb.Model()
    m.specificationVersion = version
    for f in inputs:
        feature(m.description.input, *f)
    for f in outputs:
        feature(m.description.output, *f)
    m.description.predictedFeatureName = pfn
    m.description.predictedProbabilitiesName = ppn
    return m


def node(te, tree, nid, behavior=6, t=0, f=0, evals=()):
    n = te.nodes.add()
    n.treeId, n.nodeId, n.nodeBehavior = tree, nid, behavior
    n.trueChildNodeId, n.falseChildNodeId = t, f
    for i, v in evals:
        e = n.evaluationInfo.add()
        e.evaluationIndex, e.evaluationValue = i, v


def trees(te, dims):
    te.numPredictionDimensions = dims
    node(te, 0, 0, 0, 1, 2)
    node(te, 0, 1, evals=[(d, 1.0) for d in range(dims)])
    node(te, 0, 2, evals=[(d, 2.0) for d in range(dims)])


def treereg():
    m = model(1, [('x', 'array')], [('y', 'double')], 'y')
    trees(m.treeEnsembleRegressor.treeEnsemble, 1)
    return m


def treecls():
    m = model(1, [('x', 'array')], [('label', 'int64'), ('probs', 'dict')], 'label', 'probs')
    trees(m.treeEnsembleClassifier.treeEnsemble, 3)
    m.treeEnsembleClassifier.int64ClassLabels.vector.extend([0, 1, 2])
    return m


def glmreg():
    m = model(1, [('x', 'array')], [('y', 'double')], 'y')
    m.glmRegressor.weights.add().value.extend([1.0, 2.0])
    m.glmRegressor.offset.append(0.5)
    return m


def glmcls():
    m = model(1, [('x', 'array')], [('label', 'string'), ('probs', 'dict', None, DOUBLE, 'string')], 'label', 'probs')
    g = m.glmClassifier
    for k in range(3):
        g.weights.add().value.extend([1.0, float(k)])
    g.offset.extend([0.0, 0.1, 0.2])
    g.classEncoding = 1  # OneVsRest
    g.stringClassLabels.vector.extend(['a', 'b', 'c'])
    return m


def svc():
    m = model(1, [('x', 'array')], [('label', 'int64')], 'label')
    s = m.supportVectorClassifier
    s.kernel.rbfKernel.gamma = 0.5
    for k in range(3):
        s.denseSupportVectors.vectors.add().values.extend([float(k), 1.0])
    s.numberOfSupportVectorsPerClass.extend([1, 1, 1])
    for k in range(2):
        s.coefficients.add().alpha.extend([1.0, -1.0, 0.5])
    s.rho.extend([0.0, 0.0, 0.0])
    s.probA.extend([1.0, 1.0, 1.0])
    s.probB.extend([0.0, 0.0, 0.0])
    s.int64ClassLabels.vector.extend([0, 1, 2])
    return m


def svr():
    m = model(1, [('x', 'array')], [('y', 'double')], 'y')
    s = m.supportVectorRegressor
    s.kernel.linearKernel.SetInParent()
    for k in range(2):
        s.denseSupportVectors.vectors.add().values.extend([float(k), 1.0])
    s.coefficients.alpha.extend([1.0, -1.0])
    return m


def bpr():
    m = model(3, [('x', 'array', [5], INT32)], [('mean', 'double'), ('var', 'double')])
    b = m.bayesianProbitRegressor
    b.numberOfFeatures = 5
    b.bias.precision = 1.0
    w = b.features.add().weights.add()
    w.featureValue, w.featureWeight.mean, w.featureWeight.precision = 1, 0.3, 2.0
    b.regressionInputFeatureName, b.meanOutputFeatureName, b.varianceOutputFeatureName = 'x', 'mean', 'var'
    return m


def cct():
    m = model(8, [('probs', 'array', [3], 65568)], [('out', 'array', [3], 65568)])
    c = m.classConfidenceThresholding.precisionRecallCurves.add()
    c.precisionValues.vector.extend([0.5, 0.9])
    c.precisionConfidenceThresholds.vector.extend([0.1, 0.5])
    c.recallValues.vector.extend([0.9, 0.5])
    c.recallConfidenceThresholds.vector.extend([0.1, 0.5])
    return m


def retype(f, kind, **kw):
    """the feature keeps its name and place, its type becomes kind"""
    tmp = pb.ModelDescription()
    feature(tmp.input, f.name, kind, **kw)
    f.type.CopyFrom(tmp.input[0].type)


TE = lambda m: (m.treeEnsembleRegressor if m.HasField('treeEnsembleRegressor') else m.treeEnsembleClassifier).treeEnsemble
cases = []


def case(name, base, rc, msg, fn=None):
    m = base()
    if fn:
        fn(m)
    open(os.path.join(out, name + '.mlmodel'), 'wb').write(m.SerializeToString())
    cases.append((name, str(rc), msg))


for kind, base in (('treereg', treereg), ('treecls', treecls)):
    case(kind, base, 0, '')
    case(kind + '-dims0', base, 1, 'no prediction dimensions', lambda m: setattr(TE(m), 'numPredictionDimensions', 0))
    case(kind + '-leaf-no-eval', base, 1, 'nodes[1]: a leaf without evaluation values', lambda m: TE(m).nodes[1].ClearField('evaluationInfo'))
    case(kind + '-eval-oob', base, 1, 'a leaf value for dimension 7', lambda m: setattr(TE(m).nodes[1].evaluationInfo[0], 'evaluationIndex', 7))
    case(kind + '-eval-dup', base, 1, 'two values for dimension 0', lambda m: TE(m).nodes[2].evaluationInfo.add())
    case(kind + '-node-dup', base, 1, 'nodes[3]: node 2 of tree 0 is given a second time', lambda m: TE(m).nodes.add().CopyFrom(TE(m).nodes[2]))
    case(kind + '-child-missing', base, 1, 'its true child, node 99 of tree 0, is not in the ensemble', lambda m: setattr(TE(m).nodes[0], 'trueChildNodeId', 99))
    case(kind + '-child-self', base, 1, 'node 0 of tree 0 is its own false child', lambda m: setattr(TE(m).nodes[0], 'falseChildNodeId', 0))
    case(kind + '-child-shared', base, 1, 'is already a child of node 0', lambda m: setattr(TE(m).nodes[0], 'trueChildNodeId', 2))
    case(kind + '-two-roots', base, 1, 'tree 0 has a second root, node 9', lambda m: node(TE(m), 0, 9, evals=[(0, 1.0)]))
    def cycle(m):
        node(TE(m), 0, 5, 0, 6, 7)
        node(TE(m), 0, 6, 0, 5, 8)
        node(TE(m), 0, 7, evals=[(0, 1.0)])
        node(TE(m), 0, 8, evals=[(0, 1.0)])
    case(kind + '-cycle', base, 1, 'node 5 of tree 0 is reached from no root', cycle)
    case(kind + '-base-values', base, 1, 'base prediction values for', lambda m: TE(m).basePredictionValue.extend([0.0] * 4))
    case(kind + '-behavior', base, 1, 'a node behaviour of 9', lambda m: setattr(TE(m).nodes[0], 'nodeBehavior', 9))
    case(kind + '-second-tree', base, 0, '', lambda m: node(TE(m), 4, 0, evals=[(0, 0.5)]))
case('treecls-no-labels', treecls, 0, '', lambda m: m.treeEnsembleClassifier.ClearField('int64ClassLabels'))
case('treecls-no-pfn', treecls, 0, 'warning: description: a classifier without predictedFeatureName', lambda m: m.description.ClearField('predictedFeatureName'))
case('treecls-labels-vs-dims', treecls, 1, '4 class labels for 3 prediction dimensions', lambda m: m.treeEnsembleClassifier.int64ClassLabels.vector.append(3))
def binary(m, labels):
    m.treeEnsembleClassifier.int64ClassLabels.vector[:] = labels
    m.treeEnsembleClassifier.treeEnsemble.numPredictionDimensions = 1
    for n in m.treeEnsembleClassifier.treeEnsemble.nodes[1:]:
        del n.evaluationInfo[1:]
case('treecls-binary', treecls, 0, '', lambda m: binary(m, [0, 1]))
case('treecls-dims1-3labels', treecls, 1, '3 class labels for 1 prediction dimension', lambda m: binary(m, [0, 1, 2]))

case('glmreg', glmreg, 0, '')
case('glmreg-no-pfn', glmreg, 1, 'a regressor without predictedFeatureName', lambda m: m.description.ClearField('predictedFeatureName'))
case('glmreg-out-array', glmreg, 1, "output 'y' is a multi-array: a glmRegressor gives doubles only", lambda m: retype(m.description.output[0], 'array'))
case('glmreg-in-string', glmreg, 1, "input 'x' is a string", lambda m: retype(m.description.input[0], 'string'))
case('glmreg-offsets', glmreg, 1, '1 rows of weights and 2 offsets', lambda m: m.glmRegressor.offset.append(1.0))
def ragged(m):
    m.glmRegressor.weights.add().value.append(1.0)
    m.glmRegressor.offset.append(1.0)
case('glmreg-ragged', glmreg, 1, 'rows of weights of different lengths', ragged)

case('glmcls', glmcls, 0, '')
case('glmcls-refclass', glmcls, 0, '', lambda m: (setattr(m.glmClassifier, 'classEncoding', 0), m.glmClassifier.weights.pop(), m.glmClassifier.offset.pop()))
case('glmcls-class-type', glmcls, 1, "the predicted class 'label' is an int64, but the class labels are strings", lambda m: retype(m.description.output[0], 'int64'))
case('glmcls-in-dict', glmcls, 1, "input 'x' is a dictionary", lambda m: retype(m.description.input[0], 'dict'))
case('glmcls-transform', glmcls, 1, 'postEvaluationTransform 5', lambda m: setattr(m.glmClassifier, 'postEvaluationTransform', 5))
case('glmcls-encoding', glmcls, 1, 'classEncoding 7', lambda m: setattr(m.glmClassifier, 'classEncoding', 7))
case('glmcls-no-weights', glmcls, 1, 'no weights', lambda m: (m.glmClassifier.ClearField('weights'), m.glmClassifier.ClearField('offset')))
case('glmcls-offsets', glmcls, 1, '3 rows of weights and 2 offsets', lambda m: m.glmClassifier.offset.pop())
case('glmcls-ovr-rows', glmcls, 1, 'OneVsRest takes one row a class', lambda m: (m.glmClassifier.weights.pop(), m.glmClassifier.offset.pop()))
case('glmcls-refclass-rows', glmcls, 1, 'ReferenceClass takes one row less than classes', lambda m: setattr(m.glmClassifier, 'classEncoding', 0))
def two_classes(m):
    m.glmClassifier.stringClassLabels.vector.pop()
    m.glmClassifier.weights.pop()
    m.glmClassifier.offset.pop()
case('glmcls-ovr-binary', glmcls, 1, 'OneVsRest takes one row for two classes', two_classes)
case('glmcls-probit', glmcls, 1, 'Probit with 3 classes', lambda m: setattr(m.glmClassifier, 'postEvaluationTransform', 1))
def empty_rows(m):
    for w in m.glmClassifier.weights:
        w.ClearField('value')
case('glmcls-empty-rows', glmcls, 1, 'rows of weights without values', empty_rows)
case('glmcls-ragged', glmcls, 1, 'rows of weights of different lengths', lambda m: m.glmClassifier.weights[1].value.append(3.0))

case('svc', svc, 0, '')
case('svc-class-type', svc, 1, "the predicted class 'label' is a string, but the class labels are int64s", lambda m: retype(m.description.output[0], 'string'))
case('svc-in-string', svc, 1, "input 'x' is a string", lambda m: retype(m.description.input[0], 'string'))
case('svc-no-kernel', svc, 1, 'no kernel', lambda m: m.supportVectorClassifier.ClearField('kernel'))
case('svc-rbf-gamma', svc, 1, 'rbfKernel with gamma -1', lambda m: setattr(m.supportVectorClassifier.kernel.rbfKernel, 'gamma', -1))
case('svc-poly-degree', svc, 1, 'polyKernel of degree -2', lambda m: setattr(m.supportVectorClassifier.kernel.polyKernel, 'degree', -2))
case('svc-poly-gamma', svc, 1, 'polyKernel with gamma -0.5', lambda m: setattr(m.supportVectorClassifier.kernel.polyKernel, 'gamma', -0.5))
case('svc-sigmoid-gamma', svc, 1, 'sigmoidKernel with gamma -3', lambda m: setattr(m.supportVectorClassifier.kernel.sigmoidKernel, 'gamma', -3))
case('svc-poly', svc, 0, '', lambda m: setattr(m.supportVectorClassifier.kernel.polyKernel, 'degree', 3))
case('svc-no-vectors', svc, 1, 'no support vectors', lambda m: m.supportVectorClassifier.ClearField('denseSupportVectors'))
case('svc-coef-rows', svc, 1, '3 rows of coefficients for 3 classes', lambda m: m.supportVectorClassifier.coefficients.add().alpha.extend([1.0, 1.0, 1.0]))
case('svc-per-class-len', svc, 1, 'numberOfSupportVectorsPerClass has 2 entries', lambda m: m.supportVectorClassifier.numberOfSupportVectorsPerClass.pop())
case('svc-per-class-sum', svc, 1, 'adds up to 4, but there are 3 support vectors', lambda m: m.supportVectorClassifier.numberOfSupportVectorsPerClass.__setitem__(2, 2))
case('svc-alphas', svc, 1, 'coefficients[1] has 2 alphas for 3 support vectors', lambda m: m.supportVectorClassifier.coefficients[1].alpha.pop())
case('svc-prob-ab', svc, 1, '3 probA and 2 probB values', lambda m: m.supportVectorClassifier.probB.pop())
case('svc-prob-pairs', svc, 1, '2 probA values for 3 classes', lambda m: (m.supportVectorClassifier.probA.pop(), m.supportVectorClassifier.probB.pop()))
case('svc-no-prob', svc, 0, '', lambda m: (m.supportVectorClassifier.ClearField('probA'), m.supportVectorClassifier.ClearField('probB')))

case('svr', svr, 0, '')
case('svr-no-pfn', svr, 1, 'a regressor without predictedFeatureName', lambda m: m.description.ClearField('predictedFeatureName'))
case('svr-out-string', svr, 1, "the predicted value 'y' is a string", lambda m: retype(m.description.output[0], 'string'))
case('svr-out-array', svr, 0, '', lambda m: retype(m.description.output[0], 'array'))
case('svr-in-string', svr, 1, "input 'x' is a string", lambda m: retype(m.description.input[0], 'string'))
case('svr-alphas', svr, 1, '1 coefficients for 2 support vectors', lambda m: m.supportVectorRegressor.coefficients.alpha.pop())
case('svr-no-kernel', svr, 1, 'no kernel', lambda m: m.supportVectorRegressor.ClearField('kernel'))
case('svr-no-vectors', svr, 1, 'no support vectors', lambda m: m.supportVectorRegressor.ClearField('denseSupportVectors'))

case('bpr', bpr, 0, '')
case('bpr-in-double', bpr, 1, "input 'x' is a double multi-array", lambda m: setattr(m.description.input[0].type.multiArrayType, 'dataType', DOUBLE))
case('bpr-in-rank3', bpr, 1, "input 'x' has rank 3", lambda m: m.description.input[0].type.multiArrayType.shape.extend([2, 2]))
case('bpr-in-string', bpr, 1, "input 'x' is a string", lambda m: retype(m.description.input[0], 'string'))

case('cct', cct, 0, '')
PR = lambda m: m.classConfidenceThresholding.precisionRecallCurves[0]
case('cct-no-curves', cct, 1, 'no precisionRecallCurves', lambda m: m.classConfidenceThresholding.ClearField('precisionRecallCurves'))
case('cct-len', cct, 1, '3 precisionValues for 2 precisionConfidenceThresholds', lambda m: PR(m).precisionValues.vector.append(0.7))
case('cct-recall-empty', cct, 1, '0 recallValues for 0 recallConfidenceThresholds', lambda m: (PR(m).ClearField('recallValues'), PR(m).ClearField('recallConfidenceThresholds')))
case('cct-negative', cct, 1, 'precisionValues holds a negative, NaN or infinite number', lambda m: PR(m).precisionValues.vector.__setitem__(0, -0.5))
case('cct-nan', cct, 1, 'recallConfidenceThresholds holds a negative, NaN or infinite number', lambda m: PR(m).recallConfidenceThresholds.vector.__setitem__(1, math.nan))



def knn():
    m = model(4, [('x', 'array', [2], 65568)], [('label', 'string'), ('probs', 'dict', None, DOUBLE, 'string')],
              pfn='label', ppn='probs')
    k = m.kNearestNeighborsClassifier
    k.numberOfNeighbors.defaultValue = 3
    k.numberOfNeighbors.range.minValue = 1
    k.numberOfNeighbors.range.maxValue = 10
    k.stringClassLabels.vector.extend(['a', 'b', 'a', 'c'])
    k.uniformWeighting.SetInParent()
    idx = k.nearestNeighborsIndex
    idx.numberOfDimensions = 2
    for i in range(4):
        idx.floatSamples.add().vector.extend([float(i), float(-i)])
    idx.linearIndex.SetInParent()
    idx.squaredEuclideanDistance.SetInParent()
    return m


case('knn', knn, 0, '')
case('knn-class-int64', knn, 1, "the predicted class 'label' is an int64, but the class labels are strings",
     lambda m: retype(m.description.output[0], 'int64'))

with open(os.path.join(out, 'cases.tsv'), 'w') as f:
    for c in cases:
        f.write('\t'.join(c) + '\n')
PY
	tab=$(printf '\t')
	while IFS=$tab read -r name want msg; do
		expect_exit "$want" "$name: exit $want" "$MLPKG" check "$TMP/classic/$name.mlmodel"
		if [ -n "$msg" ]; then
			check "$name: says '$msg'" grep -qF -- "$msg" "$TMP/out"
		elif [ "$want" = 0 ]; then
			check "$name: no error" grep -q ': ok$\|: 0 errors' "$TMP/out"
		fi
	done <"$TMP/classic/cases.tsv"
fi
done_testing
