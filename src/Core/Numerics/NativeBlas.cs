using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace RnnRbm.Core.Numerics;

/// <summary>
/// One loaded CBLAS library (MKL or OpenBLAS) with its own unmanaged function pointers.
/// </summary>
/// <remarks>
/// Both libraries export the same <c>cblas_*</c> symbols, so a single <c>[LibraryImport]</c> set would need
/// one import name to mean two libraries. Function pointers from <see cref="NativeLibrary.GetExport"/> let each
/// backend hold its own entry points side by side, and need no assembly-wide DllImport resolver that could
/// clash with other code in this assembly.
/// </remarks>
internal sealed unsafe class NativeBlas
{
    // CBLAS enum values (cblas.h): the same numbers MathNet uses for its Transpose enum.
    public const int RowMajor = 101;
    public const int ColMajor = 102;
    public const int NoTrans = 111;
    public const int Trans = 112;

    private const string MklFile = "libmkl_rt.so";
    private const string OpenBlasFile = "libopenblas.so.0";

    // MKL service-function constants (mkl_service.h / mkl_types.h).
    private const int MklInterfaceLp64 = 0;
    private const int MklThreadingSequential = 1;

    private NativeBlas(BackendKind kind, nint handle, string version)
    {
        Kind = kind;
        Version = version;
        Sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)
            NativeLibrary.GetExport(handle, "cblas_sgemm");
        Dgemm = (delegate* unmanaged<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void>)
            NativeLibrary.GetExport(handle, "cblas_dgemm");
        Sgemv = (delegate* unmanaged<int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)
            NativeLibrary.GetExport(handle, "cblas_sgemv");
        Dgemv = (delegate* unmanaged<int, int, int, int, double, double*, int, double*, int, double, double*, int, void>)
            NativeLibrary.GetExport(handle, "cblas_dgemv");
    }

    public BackendKind Kind { get; }

    /// <summary>Human-readable library version, e.g. "Intel MKL 2020.0.4" or "OpenBLAS 0.3.21 ...".</summary>
    public string Version { get; }

    /// <summary>cblas_sgemm(layout, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc).</summary>
    public delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> Sgemm { get; }

    /// <summary>cblas_dgemm, same argument order as <see cref="Sgemm"/>.</summary>
    public delegate* unmanaged<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void> Dgemm { get; }

    /// <summary>cblas_sgemv(layout, trans, M, N, alpha, A, lda, X, incX, beta, Y, incY).</summary>
    public delegate* unmanaged<int, int, int, int, float, float*, int, float*, int, float, float*, int, void> Sgemv { get; }

    /// <summary>cblas_dgemv, same argument order as <see cref="Sgemv"/>.</summary>
    public delegate* unmanaged<int, int, int, int, double, double*, int, double*, int, double, double*, int, void> Dgemv { get; }

    /// <summary>Loads MKL's single dynamic library, forced to sequential, one thread, LP64; null when absent.</summary>
    public static NativeBlas? TryLoadMkl(out string failure)
    {
        failure = "";
        if (!NativeLibrary.TryLoad(MklFile, out var handle))
        {
            failure = $"{MklFile} not found";
            return null;
        }

        try
        {
            // Order matters: the threading layer must be chosen before any other MKL call. MKL's default
            // (Intel OpenMP) layer kills the process with an uncatchable symbol lookup error when no OpenMP
            // runtime is installed; we want one thread per call anyway (docs/numerics.md, "Installing the native libraries (Debian 12)").
            var setInterface = (delegate* unmanaged<int, int>)NativeLibrary.GetExport(handle, "MKL_Set_Interface_Layer");
            var setThreading = (delegate* unmanaged<int, int>)NativeLibrary.GetExport(handle, "MKL_Set_Threading_Layer");
            var setThreads = (delegate* unmanaged<int, void>)NativeLibrary.GetExport(handle, "MKL_Set_Num_Threads");
            var getVersion = (delegate* unmanaged<byte*, int, void>)NativeLibrary.GetExport(handle, "MKL_Get_Version_String");

            // 32-bit integers in the cblas calls below: pin LP64 even if MKL_INTERFACE_LAYER says otherwise.
            setInterface(MklInterfaceLp64);
            setThreading(MklThreadingSequential);
            setThreads(1);

            const int bufferLength = 256;
            byte* buffer = stackalloc byte[bufferLength];
            new Span<byte>(buffer, bufferLength).Clear();
            getVersion(buffer, bufferLength);
            var raw = Encoding.ASCII.GetString(new ReadOnlySpan<byte>(buffer, bufferLength)).TrimEnd('\0', ' ');
            var version = ShortMklVersion(raw);
            return new NativeBlas(BackendKind.Mkl, handle, version);
        }
        catch (EntryPointNotFoundException e)
        {
            failure = $"{MklFile}: {e.Message}";
            NativeLibrary.Free(handle);
            return null;
        }
    }

    /// <summary>Loads OpenBLAS, limited to one thread; null when absent.</summary>
    public static NativeBlas? TryLoadOpenBlas(out string failure)
    {
        failure = "";
        ChooseOpenBlasCore();
        if (!NativeLibrary.TryLoad(OpenBlasFile, out var handle))
        {
            failure = $"{OpenBlasFile} not found";
            return null;
        }

        try
        {
            var setThreads = (delegate* unmanaged<int, void>)NativeLibrary.GetExport(handle, "openblas_set_num_threads");
            var getConfig = (delegate* unmanaged<byte*>)NativeLibrary.GetExport(handle, "openblas_get_config");
            setThreads(1);
            var config = Marshal.PtrToStringAnsi((nint)getConfig()) ?? "OpenBLAS";
            return new NativeBlas(BackendKind.OpenBlas, handle, config.Trim());
        }
        catch (EntryPointNotFoundException e)
        {
            failure = $"{OpenBlasFile}: {e.Message}";
            NativeLibrary.Free(handle);
            return null;
        }
    }

    // OpenBLAS picks its kernels once, when the library loads, from CPUID. Version 0.3.21 does not know the CPU
    // models that virtual machines report here ("Intel Xeon Processor", family 6 model 207) and falls back to
    // Prescott (SSE3) kernels: 3-4× slower on the model's shapes (measured 94-155 µs against 32-51 µs with
    // SkylakeX). So unless the user chose a core with OPENBLAS_CORETYPE, name the widest core family this host's
    // instruction set supports. It must be set in the native environment (.NET's Environment.SetEnvironmentVariable
    // does not reach getenv on Unix), before the library is loaded.
    private static void ChooseOpenBlasCore()
    {
        const string variable = "OPENBLAS_CORETYPE";
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(variable) is not null)
        {
            return;
        }

        string? core =
            Avx512F.IsSupported && Avx512BW.IsSupported && Avx512DQ.IsSupported && Avx512F.VL.IsSupported ? "SkylakeX"
            : Avx2.IsSupported && Fma.IsSupported ? "Haswell"
            : null;
        if (core is null || !NativeLibrary.TryLoad("libc.so.6", out var libc))
        {
            return;
        }

        if (NativeLibrary.TryGetExport(libc, "setenv", out var setenvAddress))
        {
            var setenv = (delegate* unmanaged<byte*, byte*, int, int>)setenvAddress;
            fixed (byte* name = "OPENBLAS_CORETYPE\0"u8, value = Encoding.ASCII.GetBytes(core + "\0"))
            {
                _ = setenv(name, value, 0); // 0: never overwrite a value set meanwhile
            }
        }
    }

    // "Intel(R) Math Kernel Library Version 2020.0.4 Product Build 20200917 for Intel(R) 64 architecture
    // applications" -> "Intel MKL 2020.0.4".
    private static string ShortMklVersion(string raw)
    {
        const string marker = "Version ";
        var at = raw.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return raw;
        }

        var rest = raw[(at + marker.Length)..];
        var end = rest.IndexOf(' ', StringComparison.Ordinal);
        return "Intel MKL " + (end < 0 ? rest : rest[..end]);
    }
}
