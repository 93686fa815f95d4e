/* fields: the numbers of the Core ML schema fields that the code outside
 * src/spec reads or writes through the spec tree, by name (mt_get(n,
 * F_Model_description) rather than mt_get(n, 2)).  One X-macro list gives
 * each field's message, name and number:
 *
 *   X(Message, field, number)  ->  F_Message_field = number
 *
 * Message is the message's full name in src/proto's .proto files less the
 * package prefix CoreML.Specification., nested names and sub-packages
 * joined with '_' (MILSpec.Argument.Binding -> MILSpec_Argument_Binding);
 * field is the field's name as the .proto spells it.  tests/test-fields.c
 * checks every entry against the schema compiled in: the message exists,
 * has a field of that name, and numbers it so.  Add a field here before
 * using its number. */
#ifndef MLPKG_FIELDS_H
#define MLPKG_FIELDS_H

#define SPEC_FIELDS(X)                                                                                                 \
	X(Model, specificationVersion, 1)                                                                              \
	X(Model, description, 2)                                                                                       \
	X(Model, isUpdatable, 10)                                                                                      \
	X(Model, pipelineClassifier, 200)                                                                              \
	X(Model, pipelineRegressor, 201)                                                                               \
	X(Model, pipeline, 202)                                                                                        \
	X(Model, glmRegressor, 300)                                                                                    \
	X(Model, supportVectorRegressor, 301)                                                                          \
	X(Model, treeEnsembleRegressor, 302)                                                                           \
	X(Model, neuralNetworkRegressor, 303)                                                                          \
	X(Model, glmClassifier, 400)                                                                                   \
	X(Model, supportVectorClassifier, 401)                                                                         \
	X(Model, treeEnsembleClassifier, 402)                                                                          \
	X(Model, neuralNetworkClassifier, 403)                                                                         \
	X(Model, kNearestNeighborsClassifier, 404)                                                                     \
	X(Model, neuralNetwork, 500)                                                                                   \
	X(Model, mlProgram, 502)                                                                                       \
	X(Model, nonMaximumSuppression, 610)                                                                           \
	X(Model, textClassifier, 2000)                                                                                 \
	X(Model, wordTagger, 2001)                                                                                     \
	X(ModelDescription, input, 1)                                                                                  \
	X(ModelDescription, output, 10)                                                                                \
	X(ModelDescription, predictedFeatureName, 11)                                                                  \
	X(ModelDescription, predictedProbabilitiesName, 12)                                                            \
	X(ModelDescription, state, 13)                                                                                 \
	X(ModelDescription, functions, 20)                                                                             \
	X(ModelDescription, defaultFunctionName, 21)                                                                   \
	X(ModelDescription, trainingInput, 50)                                                                         \
	X(ModelDescription, metadata, 100)                                                                             \
	X(FeatureDescription, name, 1)                                                                                 \
	X(FeatureDescription, shortDescription, 2)                                                                     \
	X(FeatureDescription, type, 3)                                                                                 \
	X(FeatureType, int64Type, 1)                                                                                   \
	X(FeatureType, doubleType, 2)                                                                                  \
	X(FeatureType, stringType, 3)                                                                                  \
	X(FeatureType, imageType, 4)                                                                                   \
	X(FeatureType, multiArrayType, 5)                                                                              \
	X(FeatureType, dictionaryType, 6)                                                                              \
	X(FeatureType, sequenceType, 7)                                                                                \
	X(FeatureType, stateType, 8)                                                                                   \
	X(FeatureType, isOptional, 1000)                                                                               \
	X(ImageFeatureType, width, 1)                                                                                  \
	X(ImageFeatureType, height, 2)                                                                                 \
	X(ImageFeatureType, colorSpace, 3)                                                                             \
	X(ImageFeatureType, enumeratedSizes, 21)                                                                       \
	X(ImageFeatureType, imageSizeRange, 31)                                                                        \
	X(ImageFeatureType_EnumeratedImageSizes, sizes, 1)                                                             \
	X(ImageFeatureType_ImageSize, width, 1)                                                                        \
	X(ImageFeatureType_ImageSize, height, 2)                                                                       \
	X(ImageFeatureType_ImageSizeRange, widthRange, 1)                                                              \
	X(ImageFeatureType_ImageSizeRange, heightRange, 2)                                                             \
	X(SizeRange, lowerBound, 1)                                                                                    \
	X(SizeRange, upperBound, 2)                                                                                    \
	X(ArrayFeatureType, shape, 1)                                                                                  \
	X(ArrayFeatureType, dataType, 2)                                                                               \
	X(ArrayFeatureType, enumeratedShapes, 21)                                                                      \
	X(ArrayFeatureType, shapeRange, 31)                                                                            \
	X(ArrayFeatureType, intDefaultValue, 41)                                                                       \
	X(ArrayFeatureType, floatDefaultValue, 51)                                                                     \
	X(ArrayFeatureType, doubleDefaultValue, 61)                                                                    \
	X(ArrayFeatureType_EnumeratedShapes, shapes, 1)                                                                \
	X(ArrayFeatureType_Shape, shape, 1)                                                                            \
	X(ArrayFeatureType_ShapeRange, sizeRanges, 1)                                                                  \
	X(DictionaryFeatureType, int64KeyType, 1)                                                                      \
	X(SequenceFeatureType, int64Type, 1)                                                                           \
	X(SequenceFeatureType, sizeRange, 101)                                                                         \
	X(StateFeatureType, arrayType, 1)                                                                              \
	X(FunctionDescription, name, 1)                                                                                \
	X(FunctionDescription, input, 2)                                                                               \
	X(FunctionDescription, output, 3)                                                                              \
	X(FunctionDescription, predictedFeatureName, 4)                                                                \
	X(FunctionDescription, predictedProbabilitiesName, 5)                                                          \
	X(FunctionDescription, state, 6)                                                                               \
	X(Metadata, shortDescription, 1)                                                                               \
	X(Metadata, versionString, 2)                                                                                  \
	X(Metadata, author, 3)                                                                                         \
	X(Metadata, license, 4)                                                                                        \
	X(Metadata, userDefined, 100)                                                                                  \
	X(Metadata_UserDefinedEntry, key, 1)                                                                           \
	X(Metadata_UserDefinedEntry, value, 2)                                                                         \
	X(PipelineClassifier, pipeline, 1)                                                                             \
	X(Pipeline, models, 1)                                                                                         \
	X(Pipeline, names, 2)                                                                                          \
	X(PipelineRegressor, pipeline, 1)                                                                              \
	X(GLMRegressor, weights, 1)                                                                                    \
	X(GLMRegressor, offset, 2)                                                                                     \
	X(GLMRegressor_DoubleArray, value, 1)                                                                          \
	X(SupportVectorRegressor, sparseSupportVectors, 2)                                                             \
	X(SupportVectorRegressor, denseSupportVectors, 3)                                                              \
	X(SupportVectorRegressor, coefficients, 4)                                                                     \
	X(SparseSupportVectors, vectors, 1)                                                                            \
	X(DenseSupportVectors, vectors, 1)                                                                             \
	X(Coefficients, alpha, 1)                                                                                      \
	X(TreeEnsembleRegressor, treeEnsemble, 1)                                                                      \
	X(TreeEnsembleParameters, nodes, 1)                                                                            \
	X(TreeEnsembleParameters_TreeNode, treeId, 1)                                                                  \
	X(TreeEnsembleParameters_TreeNode, nodeBehavior, 3)                                                            \
	X(NeuralNetworkRegressor, layers, 1)                                                                           \
	X(NeuralNetworkRegressor, preprocessing, 2)                                                                    \
	X(NeuralNetworkRegressor, arrayInputShapeMapping, 5)                                                           \
	X(NeuralNetworkRegressor, imageInputShapeMapping, 6)                                                           \
	X(NeuralNetworkRegressor, updateParams, 10)                                                                    \
	X(NeuralNetworkLayer, name, 1)                                                                                 \
	X(NeuralNetworkLayer, input, 2)                                                                                \
	X(NeuralNetworkLayer, output, 3)                                                                               \
	X(NeuralNetworkLayer, isUpdatable, 10)                                                                         \
	X(ConvolutionLayerParams, outputChannels, 1)                                                                   \
	X(ConvolutionLayerParams, kernelChannels, 2)                                                                   \
	X(ConvolutionLayerParams, nGroups, 10)                                                                         \
	X(ConvolutionLayerParams, kernelSize, 20)                                                                      \
	X(ConvolutionLayerParams, isDeconvolution, 60)                                                                 \
	X(ConvolutionLayerParams, hasBias, 70)                                                                         \
	X(WeightParams, floatValue, 1)                                                                                 \
	X(WeightParams, float16Value, 2)                                                                               \
	X(WeightParams, rawValue, 30)                                                                                  \
	X(WeightParams, int8RawValue, 31)                                                                              \
	X(WeightParams, quantization, 40)                                                                              \
	X(QuantizationParams, numberOfBits, 1)                                                                         \
	X(QuantizationParams, lookupTableQuantization, 102)                                                            \
	X(LinearQuantizationParams, scale, 1)                                                                          \
	X(LinearQuantizationParams, bias, 2)                                                                           \
	X(LookUpTableQuantizationParams, floatValue, 1)                                                                \
	X(InnerProductLayerParams, inputChannels, 1)                                                                   \
	X(InnerProductLayerParams, outputChannels, 2)                                                                  \
	X(InnerProductLayerParams, hasBias, 10)                                                                        \
	X(InnerProductLayerParams, int8DynamicQuantize, 22)                                                            \
	X(EmbeddingLayerParams, inputDim, 1)                                                                           \
	X(EmbeddingLayerParams, outputChannels, 2)                                                                     \
	X(EmbeddingLayerParams, hasBias, 10)                                                                           \
	X(BatchnormLayerParams, channels, 1)                                                                           \
	X(UpsampleLayerParams, linearUpsampleMode, 6)                                                                  \
	X(UpsampleLayerParams, fractionalScalingFactor, 7)                                                             \
	X(ScaleLayerParams, shapeScale, 1)                                                                             \
	X(ScaleLayerParams, shapeBias, 4)                                                                              \
	X(BiasLayerParams, shape, 1)                                                                                   \
	X(LoadConstantLayerParams, shape, 1)                                                                           \
	X(ReorganizeDataLayerParams, mode, 1)                                                                          \
	X(BranchLayerParams, ifBranch, 1)                                                                              \
	X(BranchLayerParams, elseBranch, 2)                                                                            \
	X(NeuralNetwork, layers, 1)                                                                                    \
	X(NeuralNetwork, preprocessing, 2)                                                                             \
	X(NeuralNetwork, arrayInputShapeMapping, 5)                                                                    \
	X(NeuralNetwork, imageInputShapeMapping, 6)                                                                    \
	X(NeuralNetwork, updateParams, 10)                                                                             \
	X(NeuralNetworkPreprocessing, featureName, 1)                                                                  \
	X(Int64Parameter, defaultValue, 1)                                                                             \
	X(Int64Parameter, range, 10)                                                                                   \
	X(Int64Parameter, set, 11)                                                                                     \
	X(Int64Range, minValue, 1)                                                                                     \
	X(Int64Range, maxValue, 2)                                                                                     \
	X(Int64Set, values, 1)                                                                                         \
	X(LoopLayerParams, conditionVar, 2)                                                                            \
	X(LoopLayerParams, conditionNetwork, 3)                                                                        \
	X(LoopLayerParams, bodyNetwork, 4)                                                                             \
	X(ConcatNDLayerParams, interleave, 2)                                                                          \
	X(SliceDynamicLayerParams, squeezeMasks, 6)                                                                    \
	X(EmbeddingNDLayerParams, vocabSize, 1)                                                                        \
	X(EmbeddingNDLayerParams, embeddingSize, 2)                                                                    \
	X(EmbeddingNDLayerParams, hasBias, 3)                                                                          \
	X(BatchedMatMulLayerParams, weightMatrixFirstDimension, 5)                                                     \
	X(BatchedMatMulLayerParams, weightMatrixSecondDimension, 6)                                                    \
	X(BatchedMatMulLayerParams, hasBias, 7)                                                                        \
	X(BatchedMatMulLayerParams, int8DynamicQuantize, 10)                                                           \
	X(Convolution3DLayerParams, hasBias, 50)                                                                       \
	X(GLMClassifier, weights, 1)                                                                                   \
	X(GLMClassifier, offset, 2)                                                                                    \
	X(GLMClassifier, stringClassLabels, 100)                                                                       \
	X(GLMClassifier, int64ClassLabels, 101)                                                                        \
	X(GLMClassifier_DoubleArray, value, 1)                                                                         \
	X(StringVector, vector, 1)                                                                                     \
	X(Int64Vector, vector, 1)                                                                                      \
	X(SupportVectorClassifier, sparseSupportVectors, 3)                                                            \
	X(SupportVectorClassifier, denseSupportVectors, 4)                                                             \
	X(SupportVectorClassifier, coefficients, 5)                                                                    \
	X(SupportVectorClassifier, stringClassLabels, 100)                                                             \
	X(SupportVectorClassifier, int64ClassLabels, 101)                                                              \
	X(TreeEnsembleClassifier, treeEnsemble, 1)                                                                     \
	X(TreeEnsembleClassifier, stringClassLabels, 100)                                                              \
	X(TreeEnsembleClassifier, int64ClassLabels, 101)                                                               \
	X(NeuralNetworkClassifier, layers, 1)                                                                          \
	X(NeuralNetworkClassifier, preprocessing, 2)                                                                   \
	X(NeuralNetworkClassifier, arrayInputShapeMapping, 5)                                                          \
	X(NeuralNetworkClassifier, imageInputShapeMapping, 6)                                                          \
	X(NeuralNetworkClassifier, updateParams, 10)                                                                   \
	X(NeuralNetworkClassifier, stringClassLabels, 100)                                                             \
	X(NeuralNetworkClassifier, int64ClassLabels, 101)                                                              \
	X(NeuralNetworkClassifier, labelProbabilityLayerName, 200)                                                     \
	X(KNearestNeighborsClassifier, nearestNeighborsIndex, 1)                                                       \
	X(KNearestNeighborsClassifier, numberOfNeighbors, 3)                                                           \
	X(KNearestNeighborsClassifier, stringClassLabels, 100)                                                         \
	X(KNearestNeighborsClassifier, int64ClassLabels, 101)                                                          \
	X(KNearestNeighborsClassifier, defaultStringLabel, 110)                                                        \
	X(KNearestNeighborsClassifier, defaultInt64Label, 111)                                                         \
	X(KNearestNeighborsClassifier, uniformWeighting, 200)                                                          \
	X(KNearestNeighborsClassifier, inverseDistanceWeighting, 210)                                                  \
	X(NearestNeighborsIndex, numberOfDimensions, 1)                                                                \
	X(NearestNeighborsIndex, floatSamples, 2)                                                                      \
	X(NearestNeighborsIndex, linearIndex, 100)                                                                     \
	X(NearestNeighborsIndex, singleKdTreeIndex, 110)                                                               \
	X(NearestNeighborsIndex, squaredEuclideanDistance, 200)                                                        \
	X(FloatVector, vector, 1)                                                                                      \
	X(SingleKdTreeIndex, leafSize, 1)                                                                              \
	X(MILSpec_Program, functions, 2)                                                                               \
	X(MILSpec_Program, attributes, 4)                                                                              \
	X(MILSpec_Program_AttributesEntry, key, 1)                                                                     \
	X(MILSpec_Program_AttributesEntry, value, 2)                                                                   \
	X(MILSpec_Operation_InputsEntry, key, 1)                                                                       \
	X(MILSpec_DictionaryValue, values, 1)                                                                          \
	X(MILSpec_DictionaryValue_KeyValuePair, key, 1)                                                                \
	X(MILSpec_DictionaryValue_KeyValuePair, value, 2)                                                              \
	X(MILSpec_Program_FunctionsEntry, key, 1)                                                                      \
	X(MILSpec_Program_FunctionsEntry, value, 2)                                                                    \
	X(MILSpec_Function, inputs, 1)                                                                                 \
	X(MILSpec_Function, opset, 2)                                                                                  \
	X(MILSpec_Function, block_specializations, 3)                                                                  \
	X(MILSpec_NamedValueType, name, 1)                                                                             \
	X(MILSpec_NamedValueType, type, 2)                                                                             \
	X(MILSpec_ValueType, tensorType, 1)                                                                            \
	X(MILSpec_ValueType, listType, 2)                                                                              \
	X(MILSpec_ValueType, tupleType, 3)                                                                             \
	X(MILSpec_ValueType, dictionaryType, 4)                                                                        \
	X(MILSpec_ValueType, stateType, 5)                                                                             \
	X(MILSpec_TensorType, dataType, 1)                                                                             \
	X(MILSpec_TensorType, rank, 2)                                                                                 \
	X(MILSpec_TensorType, dimensions, 3)                                                                           \
	X(MILSpec_Dimension, constant, 1)                                                                              \
	X(MILSpec_Dimension, unknown, 2)                                                                               \
	X(MILSpec_Dimension_ConstantDimension, size, 1)                                                                \
	X(MILSpec_Dimension_UnknownDimension, variadic, 1)                                                             \
	X(MILSpec_Value, type, 2)                                                                                      \
	X(MILSpec_Value, immediateValue, 3)                                                                            \
	X(MILSpec_Value, blobFileValue, 5)                                                                             \
	X(MILSpec_Value_ImmediateValue, tensor, 1)                                                                     \
	X(MILSpec_Value_ImmediateValue, tuple, 2)                                                                      \
	X(MILSpec_Value_ImmediateValue, list, 3)                                                                       \
	X(MILSpec_Value_ImmediateValue, dictionary, 4)                                                                 \
	X(MILSpec_TensorValue, floats, 1)                                                                              \
	X(MILSpec_TensorValue, ints, 2)                                                                                \
	X(MILSpec_TensorValue, strings, 4)                                                                             \
	X(MILSpec_TensorValue, longInts, 5)                                                                            \
	X(MILSpec_TensorValue, bytes, 7)                                                                               \
	X(MILSpec_TensorValue_RepeatedStrings, values, 1)                                                              \
	X(MILSpec_TensorValue_RepeatedBytes, values, 1)                                                                \
	X(MILSpec_ListValue, values, 1)                                                                                \
	X(MILSpec_Value_BlobFileValue, fileName, 1)                                                                    \
	X(MILSpec_Value_BlobFileValue, offset, 2)                                                                      \
	X(MILSpec_ListType, type, 1)                                                                                   \
	X(MILSpec_ListType, length, 2)                                                                                 \
	X(MILSpec_TupleType, types, 1)                                                                                 \
	X(MILSpec_DictionaryType, keyType, 1)                                                                          \
	X(MILSpec_DictionaryType, valueType, 2)                                                                        \
	X(MILSpec_StateType, wrappedType, 1)                                                                           \
	X(MILSpec_Function_BlockSpecializationsEntry, value, 2)                                                        \
	X(MILSpec_Block, inputs, 1)                                                                                    \
	X(MILSpec_Block, outputs, 2)                                                                                   \
	X(MILSpec_Block, operations, 3)                                                                                \
	X(MILSpec_Operation, type, 1)                                                                                  \
	X(MILSpec_Operation, inputs, 2)                                                                                \
	X(MILSpec_Operation, outputs, 3)                                                                               \
	X(MILSpec_Operation, blocks, 4)                                                                                \
	X(MILSpec_Operation, attributes, 5)                                                                            \
	X(MILSpec_Operation_InputsEntry, value, 2)                                                                     \
	X(MILSpec_Argument, arguments, 1)                                                                              \
	X(MILSpec_Argument_Binding, name, 1)                                                                           \
	X(MILSpec_Argument_Binding, value, 2)                                                                          \
	X(MILSpec_Operation_AttributesEntry, key, 1)                                                                   \
	X(MILSpec_Operation_AttributesEntry, value, 2)                                                                 \
	X(NonMaximumSuppression, stringClassLabels, 100)                                                               \
	X(NonMaximumSuppression, int64ClassLabels, 101)                                                                \
	X(CoreMLModels_TextClassifier, revision, 1)                                                                    \
	X(CoreMLModels_TextClassifier, stringClassLabels, 200)                                                         \
	X(CoreMLModels_WordTagger, revision, 1)                                                                        \
	X(CoreMLModels_WordTagger, stringTags, 200)                                                                    \
	X(CoreMLModels_VisionFeaturePrint, scene, 20)                                                                  \
	X(CoreMLModels_VisionFeaturePrint, objects, 21)                                                                \
	X(CoreMLModels_VisionFeaturePrint_Scene, version, 1)                                                           \
	X(CoreMLModels_VisionFeaturePrint_Objects, version, 1)                                                         \
	X(CoreMLModels_VisionFeaturePrint_Objects, output, 100)                                                        \
	X(CoreMLModels_Gazetteer, revision, 1)                                                                         \
	X(CoreMLModels_WordEmbedding, revision, 1)                                                                     \
	X(CoreMLModels_AudioFeaturePrint, sound, 20)

#define SPEC_FIELD_ENUM(msg, field, num) F_##msg##_##field = num,
enum { SPEC_FIELDS(SPEC_FIELD_ENUM) };
#undef SPEC_FIELD_ENUM

/* Fields numbered alike in several messages, which the code reads by one
 * name: a model's network is a NeuralNetwork, NeuralNetworkClassifier or
 * NeuralNetworkRegressor (read with the F_NeuralNetwork_ names); an
 * embedding layer's sizes are read as an innerProduct's; Apple's text
 * models keep their revision alike; support vectors, sparse or dense, their
 * vectors; every classifier its class labels (edit/internal.h names them). */
_Static_assert(F_NeuralNetwork_layers == F_NeuralNetworkClassifier_layers &&
		       F_NeuralNetwork_layers == F_NeuralNetworkRegressor_layers &&
		       F_NeuralNetwork_arrayInputShapeMapping == F_NeuralNetworkClassifier_arrayInputShapeMapping &&
		       F_NeuralNetwork_arrayInputShapeMapping == F_NeuralNetworkRegressor_arrayInputShapeMapping &&
		       F_NeuralNetwork_imageInputShapeMapping == F_NeuralNetworkClassifier_imageInputShapeMapping &&
		       F_NeuralNetwork_imageInputShapeMapping == F_NeuralNetworkRegressor_imageInputShapeMapping &&
		       F_NeuralNetwork_updateParams == F_NeuralNetworkClassifier_updateParams &&
		       F_NeuralNetwork_updateParams == F_NeuralNetworkRegressor_updateParams &&
		       F_NeuralNetwork_preprocessing == F_NeuralNetworkClassifier_preprocessing &&
		       F_NeuralNetwork_preprocessing == F_NeuralNetworkRegressor_preprocessing,
	       "the three networks number their fields alike");
_Static_assert(F_InnerProductLayerParams_inputChannels == F_EmbeddingLayerParams_inputDim &&
		       F_InnerProductLayerParams_outputChannels == F_EmbeddingLayerParams_outputChannels,
	       "innerProduct and embedding number their sizes alike");
_Static_assert(F_CoreMLModels_TextClassifier_revision == F_CoreMLModels_WordTagger_revision &&
		       F_CoreMLModels_TextClassifier_revision == F_CoreMLModels_Gazetteer_revision &&
		       F_CoreMLModels_TextClassifier_revision == F_CoreMLModels_WordEmbedding_revision,
	       "the text models number their revision alike");
_Static_assert(F_SparseSupportVectors_vectors == F_DenseSupportVectors_vectors,
	       "sparse and dense support vectors number their vectors alike");
_Static_assert(F_GLMClassifier_stringClassLabels == F_SupportVectorClassifier_stringClassLabels &&
		       F_GLMClassifier_stringClassLabels == F_TreeEnsembleClassifier_stringClassLabels &&
		       F_GLMClassifier_stringClassLabels == F_NeuralNetworkClassifier_stringClassLabels &&
		       F_GLMClassifier_stringClassLabels == F_KNearestNeighborsClassifier_stringClassLabels &&
		       F_GLMClassifier_stringClassLabels == F_NonMaximumSuppression_stringClassLabels &&
		       F_GLMClassifier_int64ClassLabels == F_SupportVectorClassifier_int64ClassLabels &&
		       F_GLMClassifier_int64ClassLabels == F_TreeEnsembleClassifier_int64ClassLabels &&
		       F_GLMClassifier_int64ClassLabels == F_NeuralNetworkClassifier_int64ClassLabels &&
		       F_GLMClassifier_int64ClassLabels == F_KNearestNeighborsClassifier_int64ClassLabels &&
		       F_GLMClassifier_int64ClassLabels == F_NonMaximumSuppression_int64ClassLabels,
	       "the classifiers number their class labels alike");
_Static_assert(F_CoreMLModels_TextClassifier_stringClassLabels == F_CoreMLModels_WordTagger_stringTags,
	       "the text classifier and the word tagger number their labels alike");
#endif
