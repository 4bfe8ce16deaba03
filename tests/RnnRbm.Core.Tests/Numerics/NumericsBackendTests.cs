using RnnRbm.Core.Numerics;

namespace RnnRbm.Core.Tests.Numerics;

public class NumericsBackendTests
{
    [Fact]
    public void Available_AlwaysHasSimd_AndNamesMatchKinds()
    {
        var available = NumericsBackend.Available;
        Assert.Contains(available, b => b.Kind == BackendKind.Simd);
        Assert.Same(available, NumericsBackend.Available);
        foreach (var backend in available)
        {
            Assert.Equal(backend.Kind.ToString().ToLowerInvariant(), backend.Name);
            Assert.Equal(backend.Name, backend.ToString());
            Assert.False(string.IsNullOrWhiteSpace(backend.Description));
            Assert.Same(backend, NumericsBackend.Select(backend.Name.ToUpperInvariant()));
        }
    }

    [NativeBlasFact("mkl")]
    public void Mkl_Loads_WithVersionInDescription()
    {
        var mkl = NumericsBackend.Select("mkl");
        Assert.Matches(@"^Intel MKL \d{4}\.\d+\.\d+ \(libmkl_rt\.so, sequential, 1 thread\)$", mkl.Description);
    }

    [NativeBlasFact("openblas")]
    public void OpenBlas_Loads_WithVersionInDescription()
    {
        var openBlas = NumericsBackend.Select("openblas");
        Assert.StartsWith("OpenBLAS 0.", openBlas.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Select_Nonsense_ThrowsNamingTheAvailableBackends()
    {
        var error = Assert.Throws<ArgumentException>(() => NumericsBackend.Select("nonsense"));
        Assert.Contains("nonsense", error.Message, StringComparison.Ordinal);
        foreach (var backend in NumericsBackend.Available)
        {
            Assert.Contains(backend.Name, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Select_Auto_PicksAnAvailableBackend_AndCachesIt()
    {
        var auto = NumericsBackend.Select(null);
        Assert.Contains(auto, NumericsBackend.Available);
        Assert.Same(auto, NumericsBackend.Select("auto"));
        Assert.Same(auto, NumericsBackend.Select("AUTO"));
    }

    [Fact]
    public void Choose_Auto_SaysWhy_TruthfullyForWhatLoadedHere()
    {
        var choice = NumericsBackend.Choose("auto");

        Assert.Same(NumericsBackend.Select("auto"), choice.Backend);
        if (NumericsBackend.Available.Count == 1)
        {
            // Only the C# kernels: nothing was measured, and the reason says so, with why the others did not load.
            Assert.Empty(choice.Timings);
            Assert.StartsWith("the only backend that loads here (", choice.Reason, StringComparison.Ordinal);
        }
        else
        {
            // Every loaded backend was timed, the fastest won, and the reason names each with its time.
            Assert.Equal(NumericsBackend.Available.Select(b => b.Name).Order(), choice.Timings.Select(t => t.Backend).Order());
            Assert.Equal(choice.Backend.Name, choice.Timings[0].Backend);
            Assert.True(choice.Timings.Zip(choice.Timings.Skip(1)).All(p => p.First.Microseconds <= p.Second.Microseconds));
            Assert.StartsWith("measured fastest", choice.Reason, StringComparison.Ordinal);
            foreach (var timing in choice.Timings)
            {
                Assert.Contains($"{timing.Backend} ", choice.Reason, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Choose_ByName_SaysSo_AndMeasuresNothing()
    {
        var choice = NumericsBackend.Choose("simd");

        Assert.Equal(BackendKind.Simd, choice.Backend.Kind);
        Assert.Empty(choice.Timings);
        Assert.StartsWith("chosen by name", choice.Reason, StringComparison.Ordinal);
    }
}
