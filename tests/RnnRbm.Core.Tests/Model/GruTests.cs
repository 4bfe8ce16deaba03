using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests.Model;

/// <summary>The GRU recurrence in place of tanh (issue 10, item 4.6): gradients, generation, the file, training.</summary>
public class GruTests
{
    private static ReferenceRnnRbm RandomGru(Random rng, int v, int h, int u, double scale)
    {
        var r = new ReferenceRnnRbm(v, h, u, gru: true);
        r.ForEachScalar((_, _) => scale * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()), set: true);
        return r;
    }

    [Fact]
    public void Reference_GruGradients_MatchCentralFiniteDifferences_ForBothCosts()
    {
        var rng = new Random(41);
        ReferenceRnnRbm reference = RandomGru(rng, v: 6, h: 4, u: 4, scale: 0.7);
        double[,] x = GradientTests.RandomBinary(rng, 5, 6, 0.4);
        double[,] vNeg = GradientTests.RandomBinary(rng, 5, 6, 0.4);
        Check(reference, reference.Gradient(x, vNeg), () => reference.Cost(x, vNeg), "CD cost", skip: []);
        Check(reference, reference.CrossEntropyGradient(x), () => reference.CrossEntropy(x), "cross-entropy", skip: [0, 2, 3]);
    }

    private static void Check(ReferenceRnnRbm reference, ReferenceRnnRbm gradient, Func<double> cost, string what, int[] skip)
    {
        const double eps = 1e-5;
        Assert.Equal(15, reference.TensorCount);
        for (int tensor = 0; tensor < reference.TensorCount; tensor++)
        {
            double diff = 0, norm = 0;
            for (int i = 0; i < reference.TensorLength(tensor); i++)
            {
                reference.Add(tensor, i, eps);
                double up = cost();
                reference.Add(tensor, i, -2 * eps);
                double down = cost();
                reference.Add(tensor, i, eps);
                double numeric = (up - down) / (2 * eps);
                double analytic = gradient.Get(tensor, i);
                diff += (numeric - analytic) * (numeric - analytic);
                norm += analytic * analytic;
            }
            if (skip.Contains(tensor))
            {
                Assert.Equal(0, norm);
                continue;
            }
            Assert.True(norm > 0, $"{what}: tensor {tensor} has a zero gradient: the check would be vacuous");
            Assert.True(Math.Sqrt(diff / norm) < 1e-6, $"{what}: tensor {tensor} differs from finite differences by {Math.Sqrt(diff / norm):E2} relative");
        }
    }

    [Fact]
    public void FastCores_MatchTheReference_ForAGru()
    {
        var shape = new ModelShape(20, 12, 9, RecurrenceKind.Gru);
        const int steps = 17;
        var rng = new Random(43);
        RnnRbmParameters p = GradientTests.RandomParameters(rng, shape, scale: 0.4);
        Assert.Equal(15, p.Tensors.Count);
        Assert.Equal(shape.ParameterCount, p.Tensors.Sum(t => (long)t.Values.Length));
        float[] x = GradientTests.RandomBinaryFloats(rng, steps, shape.Visible, 0.2);
        float[] vNeg = GradientTests.RandomBinaryFloats(rng, steps, shape.Visible, 0.2);
        double[,] xm = GradientTests.ToMatrix(x, steps, shape.Visible), negm = GradientTests.ToMatrix(vNeg, steps, shape.Visible);
        ReferenceRnnRbm reference = ReferenceRnnRbm.From(p);
        int[] all = [.. Enumerable.Range(0, 15)];

        var gradient = new RnnRbmParameters(shape);
        using (var core = new ChunkGradient(shape, steps, NumericsBackend.Select(null), [new VectorRandom(1, 2), new VectorRandom(1, 3)], threads: 1))
        {
            core.Compute(x, steps, p, gradient, k: 1, frozenNegative: vNeg);
        }
        AssertClose(reference.Gradient(xm, negm), gradient, all, "CD gradient");

        var pretraining = new RnnPretraining(shape, steps, NumericsBackend.Select(null));
        double loss = pretraining.Compute(x, steps, p, gradient);
        Assert.Equal(reference.CrossEntropy(xm), loss, 1e-3);
        AssertClose(reference.CrossEntropyGradient(xm), gradient, [1, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14], "cross-entropy gradient");
    }

    [Fact]
    public void Generator_FollowsTheGruRecurrence()
    {
        // W = 0 and large |bv_t|: each generated note is (almost surely) on exactly when bv_t = bv + u_{t-1} Wuv > 0, so the
        // roll must agree with the GRU recurrence run over the roll itself wherever |bv_t| is large.
        var range = new PitchRange(60, 72);
        var shape = new ModelShape(range.Count, 6, 8, RecurrenceKind.Gru);
        var rng = new Random(47);
        RnnRbmParameters p = GradientTests.RandomParameters(rng, shape, scale: 1.0);
        Array.Clear(p.W);
        for (int i = 0; i < p.Wuv.Length; i++)
        {
            p.Wuv[i] *= 25;
        }
        var model = new RnnRbmModel(p, ModelFileTests.SmallModel().Manifest with { Shape = ShapeInfo.From(shape) });
        PianoRoll roll = new RnnRbmGenerator(model).Generate(120, 2, seed: 5);

        float[] x = [.. roll.Cells.ToArray().Select(b => (float)b)];
        var bvt = new float[roll.Steps * shape.Visible];
        Recurrence.Run(NumericsBackend.Select(null), p, x, roll.Steps, new float[roll.Steps * shape.Recurrent],
            new float[(roll.Steps + 1) * shape.Recurrent], bvt, new float[roll.Steps * shape.Hidden]);
        int confident = 0;
        for (int i = 0; i < bvt.Length; i++)
        {
            if (Math.Abs(bvt[i]) > 12)
            {
                confident++;
                Assert.True(bvt[i] > 0 == (x[i] == 1f), $"cell {i}: bv_t {bvt[i]} but the note is {x[i]}");
            }
        }
        Assert.True(confident > bvt.Length / 2, $"only {confident} of {bvt.Length} cells are decided: the check would be weak");
    }

    [Fact]
    public void ModelFile_KeepsTheGru()
    {
        var shape = new ModelShape(12, 8, 6, RecurrenceKind.Gru);
        RnnRbmParameters p = GradientTests.RandomParameters(new Random(3), shape, scale: 0.5);
        var model = new RnnRbmModel(p, ModelFileTests.SmallModel().Manifest with { Shape = ShapeInfo.From(shape) });
        byte[] bytes = ModelFile.Write(model);
        Assert.Contains("\"recurrence\": \"gru\"", System.Text.Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        RnnRbmModel read = ModelFile.Read(bytes);
        Assert.Equal(RecurrenceKind.Gru, read.Parameters.Shape.Kind);
        Assert.Equal(TrainerTests.Flatten(p), TrainerTests.Flatten(read.Parameters));
        Assert.DoesNotContain("recurrence", System.Text.Encoding.UTF8.GetString(ModelFile.Write(ModelFileTests.SmallModel())), StringComparison.Ordinal);
    }

    [Fact]
    public void Trainer_LearnsAGru_WithEveryImprovement()
    {
        PianoRoll[] data = TrainerTests.SmallCorpus(new Random(9));
        var shape = new ModelShape(TrainerTests.Range.Count, 12, 10, RecurrenceKind.Gru);
        // Not the seed's N(0, 1e-8) RNN weights: through them the reset gate's recurrent weights get gradients below float32
        // resolution in two epochs (their gradient is a product of four such small factors).
        RnnRbmParameters p = GradientTests.RandomParameters(new Random(5), shape, scale: 0.1);
        RnnRbmParameters initial = p.Clone();
        var options = new TrainingOptions { Seed = 5, BatchSize = 16, CdK = 2, LearningRate = 0.05f, LearnU0 = true, CarryState = true, RbmPretrainEpochs = 1, RnnPretrainEpochs = 1, PretrainLearningRate = 0.05f };
        using (var trainer = new RnnRbmTrainer(p, options, NumericsBackend.Select(null)))
        {
            Assert.True(double.IsFinite(trainer.TrainEpoch(data).Monitor));
            Assert.True(double.IsFinite(trainer.TrainEpoch(data).Monitor));
        }
        foreach (string name in new[] { "Wvz", "Wuz", "bz", "Wvr", "Wur", "br", "u0" })
        {
            float[] before = initial.Tensors.Single(t => t.Name == name).Values, after = p.Tensors.Single(t => t.Name == name).Values;
            Assert.False(before.SequenceEqual(after), $"{name} did not learn");
        }
    }

    private static void AssertClose(ReferenceRnnRbm expected, RnnRbmParameters actual, int[] tensors, string what)
    {
        foreach (int tensor in tensors)
        {
            float[] fast = actual.Tensors[tensor].Values;
            double diff = 0, norm = 0;
            for (int i = 0; i < fast.Length; i++)
            {
                double e = expected.Get(tensor, i);
                diff += (fast[i] - e) * (fast[i] - e);
                norm += e * e;
            }
            Assert.True(norm > 0, $"{what}: {actual.Tensors[tensor].Name} has a zero reference gradient");
            Assert.True(Math.Sqrt(diff / norm) < 1e-4, $"{what}: {actual.Tensors[tensor].Name} differs by {Math.Sqrt(diff / norm):E2} relative");
        }
    }
}
