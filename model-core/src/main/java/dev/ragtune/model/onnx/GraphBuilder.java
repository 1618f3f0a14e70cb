package dev.ragtune.model.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * A small builder over ONNX's protobuf classes: named nodes, initializers (weights go to external
 * data), graph inputs and outputs with symbolic dimensions. Each op call returns the name of the
 * value it produces, so blocks read like the maths they implement.
 */
final class GraphBuilder {
    static final int OPSET = 17;
    static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    static final int FLOAT16 = TensorProto.DataType.FLOAT16_VALUE;
    static final int INT64 = TensorProto.DataType.INT64_VALUE;
    static final int BOOL = TensorProto.DataType.BOOL_VALUE;

    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("ragtune_decoder");
    private final ExternalData external;
    private final boolean fp16Weights;
    private final Map<String, Integer> counters = new HashMap<>();

    GraphBuilder(ExternalData external, boolean fp16Weights) {
        this.external = external;
        this.fp16Weights = fp16Weights;
    }

    // ---- values ----------------------------------------------------------------------------

    /** {@code dims} entries are Integer/Long (fixed) or String (symbolic). */
    void input(String name, int elemType, Object... dims) {
        graph.addInput(valueInfo(name, elemType, dims));
    }

    void output(String name, int elemType, Object... dims) {
        graph.addOutput(valueInfo(name, elemType, dims));
    }

    /**
     * A float32 weight. Stored in external data (as float16 when exporting FP16, followed by a
     * Cast so that every consumer sees float32).
     */
    String weight(String name, float[] values, long... dims) {
        return externalWeight(name, values, fp16Weights, dims);
    }

    /** A float32 table that stays float32 whatever the precision (rotary cos/sin). */
    String exactWeight(String name, float[] values, long... dims) {
        return externalWeight(name, values, false, dims);
    }

    private String externalWeight(String name, float[] values, boolean fp16, long... dims) {
        try {
            long offset = external.append(values, fp16);
            long length = (long) values.length * (fp16 ? 2 : 4);
            TensorProto.Builder t = TensorProto.newBuilder().setName(name)
                    .setDataType(fp16 ? FLOAT16 : FLOAT)
                    .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                    .addExternalData(entry("location", external.fileName()))
                    .addExternalData(entry("offset", Long.toString(offset)))
                    .addExternalData(entry("length", Long.toString(length)));
            for (long d : dims) {
                t.addDims(d);
            }
            graph.addInitializer(t);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write external data for " + name, e);
        }
        return fp16 ? op("Cast", name + ".f32", new String[] {name}, attr("to", (long) FLOAT)) : name;
    }

    /**
     * A float32 graph input whose default (an initializer of the same name) is an empty tensor of
     * {@code defaultDims}; used for LoRA matrices, whose default rank is 0.
     */
    void inputWithEmptyDefault(String name, Object[] symbolicDims, long[] defaultDims) {
        graph.addInput(valueInfo(name, FLOAT, symbolicDims));
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(FLOAT);
        for (long d : defaultDims) {
            t.addDims(d);
        }
        graph.addInitializer(t);
    }

    String ints(long... values) {
        String name = fresh("const_i64");
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(INT64).addDims(values.length);
        for (long v : values) {
            t.addInt64Data(v);
        }
        graph.addInitializer(t);
        return name;
    }

    String scalarInt(long value) {
        String name = fresh("const_i64");
        graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(INT64).addInt64Data(value));
        return name;
    }

    String scalar(float value) {
        String name = fresh("const_f32");
        graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(FLOAT).addFloatData(value));
        return name;
    }

    // ---- nodes -----------------------------------------------------------------------------

    /** One-output op; the output gets a fresh name derived from {@code opType}. */
    String op(String opType, String[] inputs, AttributeProto... attrs) {
        return op(opType, fresh(opType), inputs, attrs);
    }

    String op(String opType, String output, String[] inputs, AttributeProto... attrs) {
        return ops(opType, new String[] {output}, inputs, attrs)[0];
    }

    String[] ops(String opType, String[] outputs, String[] inputs, AttributeProto... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(fresh(opType + "_node"));
        for (String i : inputs) {
            n.addInput(i);
        }
        for (String o : outputs) {
            n.addOutput(o);
        }
        for (AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return outputs;
    }

    String fresh(String prefix) {
        int n = counters.merge(prefix, 1, Integer::sum);
        return prefix + "_" + n;
    }

    static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto attr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    static AttributeProto attr(String name, long[] values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    ModelProto build(Map<String, String> metadata) {
        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("ragtune")
                .setProducerVersion("0.1")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph);
        metadata.forEach((k, v) -> m.addMetadataProps(entry(k, v)));
        return m.build();
    }

    private static StringStringEntryProto entry(String k, String v) {
        return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }

    private static ValueInfoProto valueInfo(String name, int elemType, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            if (d instanceof String s) {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(s));
            } else {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(((Number) d).longValue()));
            }
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape)))
                .build();
    }
}
