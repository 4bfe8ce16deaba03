using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Providers.LinearAlgebra;
using RnnRbm.Core.Numerics;

namespace RnnRbm.Core.Tests.Numerics;

// Swapping MathNet's process-wide provider must not race other tests' MathNet calls: run alone.
[CollectionDefinition(nameof(MathNetGlobalProviderTest), DisableParallelization = true)]
public class MathNetGlobalProviderGroup;

[Collection(nameof(MathNetGlobalProviderTest))]
public class MathNetGlobalProviderTest
{
    [Fact]
    public void UseForMathNet_MakesMathNetMultiplyThroughOurProvider()
    {
        var previous = LinearAlgebraControl.Provider;
        try
        {
            var backend = NumericsBackend.Select("simd");
            backend.UseForMathNet();
            Assert.Same(backend.Provider, LinearAlgebraControl.Provider);
            var left = Matrix<float>.Build.Dense(2, 3, [1, 4, 2, 5, 3, 6]);   // column-major [[1,2,3],[4,5,6]]
            var right = Matrix<float>.Build.Dense(3, 2, [1, 0, 1, 0, 1, 1]);  // [[1,0],[0,1],[1,1]]
            var product = left * right;
            Assert.Equal(new float[] { 4, 10, 5, 11 }, product.AsColumnMajorArray());
        }
        finally
        {
            LinearAlgebraControl.Provider = previous;
        }
    }
}
