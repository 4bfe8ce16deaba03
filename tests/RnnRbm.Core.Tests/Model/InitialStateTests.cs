using System.Buffers.Binary;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests.Model;

/// <summary>The learned initial state u0 (issue 10, item 4.1): its gradient, its file format, and who starts from it.</summary>
public class InitialStateTests
{
    private const int U0Tensor = 8;

    [Fact]
    public void Reference_U0Gradient_MatchesCentralFiniteDifferences()
    {
        var rng = new Random(17);
        ReferenceRnnRbm reference = GradientTests.RandomReference(rng, v: 7, h: 5, u: 4, scale: 0.5);
        double[,] x = GradientTests.RandomBinary(rng, 6, 7, 0.4);
        double[,] vNeg = GradientTests.RandomBinary(rng, 6, 7, 0.4);
        ReferenceRnnRbm gradient = reference.Gradient(x, vNeg);
        const double eps = 1e-5;
        double diff = 0, norm = 0;
        for (int i = 0; i < reference.TensorLength(U0Tensor); i++)
        {
            reference.Add(U0Tensor, i, eps);
            double up = reference.Cost(x, vNeg);
            reference.Add(U0Tensor, i, -2 * eps);
            double down = reference.Cost(x, vNeg);
            reference.Add(U0Tensor, i, eps);
            double numeric = (up - down) / (2 * eps);
            double analytic = gradient.Get(U0Tensor, i);
            diff += (numeric - analytic) * (numeric - analytic);
            norm += analytic * analytic;
        }
        Assert.True(norm > 1e-12, "u0 has a zero gradient: the check would be vacuous");
        Assert.True(Math.Sqrt(diff / norm) < 1e-6, $"u0: finite differences differ by {Math.Sqrt(diff / norm):E2} relative");
    }

    [Fact]
    public void FastCore_U0Gradient_MatchesReference_AndIsZeroFromACarriedState()
    {
        var shape = new ModelShape(20, 12, 9);
        const int steps = 15;
        var rng = new Random(23);
        RnnRbmParameters parameters = GradientTests.RandomParameters(rng, shape, scale: 0.3);
        float[] x = GradientTests.RandomBinaryFloats(rng, steps, shape.Visible, 0.2);
        float[] vNeg = GradientTests.RandomBinaryFloats(rng, steps, shape.Visible, 0.2);
        float[] carried = [.. Enumerable.Range(0, shape.Recurrent).Select(j => (float)Math.Tanh(rng.NextDouble() * 2 - 1))];
        double[,] xm = GradientTests.ToMatrix(x, steps, shape.Visible), negm = GradientTests.ToMatrix(vNeg, steps, shape.Visible);

        var fromU0 = new RnnRbmParameters(shape);
        var fromCarried = new RnnRbmParameters(shape);
        using (var core = new ChunkGradient(shape, steps, NumericsBackend.Select(null), [new VectorRandom(1, 2), new VectorRandom(1, 3)], threads: 1))
        {
            core.Compute(x, steps, parameters, fromU0, k: 1, frozenNegative: vNeg);
            core.Compute(x, steps, parameters, fromCarried, k: 1, frozenNegative: vNeg, initialState: carried);
        }

        ReferenceRnnRbm expected = ReferenceRnnRbm.From(parameters).Gradient(xm, negm);
        AssertClose(expected, fromU0, U0Tensor + 1, "from u0");

        // From a carried state: the same gradients as a model whose u0 is that state, except that u0 learns nothing.
        ReferenceRnnRbm shifted = ReferenceRnnRbm.From(parameters);
        for (int j = 0; j < shape.Recurrent; j++)
        {
            shifted.U0[j] = carried[j];
        }
        AssertClose(shifted.Gradient(xm, negm), fromCarried, U0Tensor, "from a carried state");
        Assert.All(fromCarried.U0, g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Recurrence_StartsFromTheModelsU0()
    {
        var shape = new ModelShape(10, 6, 5);
        var rng = new Random(4);
        RnnRbmParameters p = GradientTests.RandomParameters(rng, shape, scale: 0.5);
        float[] x = GradientTests.RandomBinaryFloats(rng, 4, shape.Visible, 0.3);
        NumericsBackend blas = NumericsBackend.Select(null);
        float[] Bvt(ReadOnlySpan<float> start)
        {
            var states = new float[5 * shape.Recurrent];
            var bvt = new float[4 * shape.Visible];
            Recurrence.Run(blas, p, x, 4, new float[4 * shape.Recurrent], states, bvt, new float[4 * shape.Hidden], start);
            return bvt;
        }
        float[] fromModel = Bvt(p.U0);
        float[] fromZero = Bvt(new float[shape.Recurrent]);
        var evaluatorStates = new float[5 * shape.Recurrent];
        var evaluatorBvt = new float[4 * shape.Visible];
        Recurrence.Run(blas, p, x, 4, new float[4 * shape.Recurrent], evaluatorStates, evaluatorBvt, new float[4 * shape.Hidden]); // the evaluator's call
        Assert.Equal(fromModel, evaluatorBvt);
        Assert.NotEqual(fromZero, evaluatorBvt);
        Assert.Equal(p.U0, evaluatorStates[..shape.Recurrent]);
    }

    [Fact]
    public void Generator_StartsFromTheModelsU0()
    {
        // W = 0, bv = -6: every note is off with probability σ(6) unless u0 lifts one through Wuv (+12 on note 64).
        RnnRbmModel model = ModelFileTests.SmallModel();
        RnnRbmParameters p = model.Parameters;
        foreach (NamedTensor t in p.Tensors)
        {
            Array.Clear(t.Values);
        }
        Array.Fill(p.Bv, -6f);
        p.Wuv[64 - model.Range.Lowest] = 12f; // row 0 of Wuv (U×V), column of note 64
        int FirstStepHits() => Enumerable.Range(1, 60).Count(seed => new RnnRbmGenerator(model).Generate(1, 3, (ulong)seed)[0, 64]);

        int withoutU0 = FirstStepHits();
        p.U0[0] = 1f;
        int withU0 = FirstStepHits();
        Assert.InRange(withoutU0, 0, 3);
        Assert.InRange(withU0, 57, 60);
    }

    [Fact]
    public void ModelFile_KeepsU0_AndReadsAVersion1FileAsU0Zero()
    {
        RnnRbmModel model = ModelFileTests.SmallModel();
        model.Parameters.U0[2] = 0.75f;
        RnnRbmModel read = ModelFile.Read(ModelFile.Write(model));
        Assert.Equal(model.Parameters.U0, read.Parameters.U0);
        Assert.Equal(ModelFile.CurrentVersion, BinaryPrimitives.ReadInt32LittleEndian(ModelFile.Write(model).AsSpan(8)));

        byte[] old = AsVersion1(ModelFile.Write(ModelFileTests.SmallModel()), model.Parameters.Shape.Recurrent);
        RnnRbmModel oldRead = ModelFile.Read(old);
        Assert.All(oldRead.Parameters.U0, value => Assert.Equal(0f, value));
        Assert.Equal(TrainerTests.Flatten(ModelFileTests.SmallModel().Parameters), TrainerTests.Flatten(oldRead.Parameters));
        Assert.False(oldRead.Manifest.Training.LearnU0);
    }

    [Fact]
    public void ModelFile_ReadsTheBundledVersion1Model()
    {
        RnnRbmModel model = ModelFile.Load(Path.Combine(RepositoryPaths.Root, "models", "nottingham-default.rnnrbm"));
        Assert.All(model.Parameters.U0, value => Assert.Equal(0f, value));
        Assert.True(model.Parameters.AllFinite());
    }

    [Fact]
    public void Trainer_LearnsU0_OnlyWhenAsked()
    {
        PianoRoll[] data = TrainerTests.SmallCorpus(new Random(31));
        var shape = new ModelShape(TrainerTests.Range.Count, 12, 10);
        var options = new TrainingOptions { Seed = 5, BatchSize = 16, CdK = 2, LearningRate = 0.05f };
        RnnRbmParameters Train(TrainingOptions o)
        {
            RnnRbmParameters p = RnnRbmTrainer.InitialParameters(shape, o.Seed);
            using var trainer = new RnnRbmTrainer(p, o, NumericsBackend.Select(null), threads: 1);
            trainer.TrainEpoch(data);
            trainer.TrainEpoch(data);
            return p;
        }
        RnnRbmParameters plain = Train(options);
        RnnRbmParameters learned = Train(options with { LearnU0 = true });
        Assert.All(plain.U0, value => Assert.Equal(0f, value));
        Assert.Contains(learned.U0, value => value != 0f);
    }

    /// <summary>The bytes a version 1 build wrote for <paramref name="v2"/> (whose u0 is 0): the weights without u0.</summary>
    internal static byte[] AsVersion1(byte[] v2, int recurrent)
    {
        int manifestLength = BinaryPrimitives.ReadInt32LittleEndian(v2.AsSpan(12));
        int countAt = 16 + manifestLength;
        long count = BinaryPrimitives.ReadInt64LittleEndian(v2.AsSpan(countAt));
        int weightsEnd = v2.Length - 32;
        byte[] body = v2[..(weightsEnd - (recurrent * 4))]; // u0 is the last tensor
        BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(8), 1);
        BinaryPrimitives.WriteInt64LittleEndian(body.AsSpan(countAt), count - recurrent);
        return [.. body, .. System.Security.Cryptography.SHA256.HashData(body)];
    }

    private static void AssertClose(ReferenceRnnRbm expected, RnnRbmParameters actual, int tensors, string what)
    {
        for (int tensor = 0; tensor < tensors; tensor++)
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
