using System.Reflection;
using System.Runtime.InteropServices;
using Xunit.Sdk;

namespace RnnRbm.Core.Tests.Numerics;

/// <summary>
/// Whether a numerics backend's library is installed here. A test that needs Intel MKL or OpenBLAS is skipped,
/// and says so, where the library is missing (scripts/install-deps.sh installs both); in CI (CI=true) it runs and
/// fails instead, so that a missing library never passes silently. A library that is present but does not load as
/// a backend is not skipped: that is the failure the test is there to find.
/// </summary>
internal static class NativeBlasInstalled
{
    /// <summary>Null when the backend named <paramref name="backend"/> can be tested here, else why it cannot.</summary>
    public static string? SkipReason(string backend)
    {
        string? file = backend switch
        {
            "mkl" => "libmkl_rt.so",
            "openblas" => "libopenblas.so.0",
            _ => null, // the C# kernels need no library
        };
        if (file is null || TestEnvironment.IsCi || Loads(file))
        {
            return null;
        }

        return $"{file} is not installed (scripts/install-deps.sh installs it), so the '{backend}' backend cannot be tested here.";
    }

    // The same search the backend makes (NativeBlas loads by file name through the system loader).
    private static bool Loads(string file)
    {
        if (!NativeLibrary.TryLoad(file, out IntPtr handle))
        {
            return false;
        }

        NativeLibrary.Free(handle);
        return true;
    }
}

/// <summary>A fact that needs the native backend named by its argument ("mkl" or "openblas"); see <see cref="NativeBlasInstalled"/>.</summary>
public sealed class NativeBlasFactAttribute : FactAttribute
{
    public NativeBlasFactAttribute(string backend)
    {
        Skip = NativeBlasInstalled.SkipReason(backend);
    }
}

/// <summary>
/// One theory row per numerics backend ("simd", "mkl", "openblas"): the row of a backend whose library is missing
/// is reported skipped rather than left out; see <see cref="NativeBlasInstalled"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class BackendDataAttribute : DataAttribute
{
    private readonly string _backend;

    public BackendDataAttribute(string backend)
    {
        _backend = backend;
        Skip = NativeBlasInstalled.SkipReason(backend);
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[_backend]];
}
