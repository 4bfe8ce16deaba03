using RnnRbm.Core.Model;

namespace RnnRbm.Core.Tests.Model;

/// <summary>
/// The slow, obviously-correct reference: the cost C = (1/T) Σ_t [F_t(v_t) - F_t(v*_t)] with v* fixed and its
/// exact gradient, in plain loops and double precision, written straight from the spec's formulas.
/// Tensors are the spec's, in <see cref="RnnRbmParameters.Tensors"/> order.
/// </summary>
internal sealed class ReferenceRnnRbm
{
    public ReferenceRnnRbm(int v, int h, int u)
    {
        V = v;
        H = h;
        U = u;
        W = new double[v, h];
        Bv = new double[v];
        Bh = new double[h];
        Wuh = new double[u, h];
        Wuv = new double[u, v];
        Wvu = new double[v, u];
        Wuu = new double[u, u];
        Bu = new double[u];
        U0 = new double[u];
    }

    public int V { get; }
    public int H { get; }
    public int U { get; }
    public double[,] W { get; }
    public double[] Bv { get; }
    public double[] Bh { get; }
    public double[,] Wuh { get; }
    public double[,] Wuv { get; }
    public double[,] Wvu { get; }
    public double[,] Wuu { get; }
    public double[] Bu { get; }
    public double[] U0 { get; }

    public static ReferenceRnnRbm From(RnnRbmParameters p)
    {
        var r = new ReferenceRnnRbm(p.Shape.Visible, p.Shape.Hidden, p.Shape.Recurrent);
        r.ForEachScalar((tensor, index) => p.Tensors[tensor].Values[index], set: true);
        return r;
    }

    /// <summary>Visits every scalar as (tensor number, flat row-major index); with set, assigns what the visitor returns.</summary>
    public void ForEachScalar(Func<int, int, double> visit, bool set)
    {
        Visit2(0, W, visit, set);
        Visit1(1, Bv, visit, set);
        Visit1(2, Bh, visit, set);
        Visit2(3, Wuh, visit, set);
        Visit2(4, Wuv, visit, set);
        Visit2(5, Wvu, visit, set);
        Visit2(6, Wuu, visit, set);
        Visit1(7, Bu, visit, set);
        Visit1(8, U0, visit, set);
    }

    /// <summary>One scalar by tensor number and flat row-major index.</summary>
    public double Get(int tensor, int index) => tensor switch
    {
        0 => W[index / H, index % H],
        1 => Bv[index],
        2 => Bh[index],
        3 => Wuh[index / H, index % H],
        4 => Wuv[index / V, index % V],
        5 => Wvu[index / U, index % U],
        6 => Wuu[index / U, index % U],
        7 => Bu[index],
        _ => U0[index],
    };

    public void Add(int tensor, int index, double delta)
    {
        switch (tensor)
        {
            case 0: W[index / H, index % H] += delta; break;
            case 1: Bv[index] += delta; break;
            case 2: Bh[index] += delta; break;
            case 3: Wuh[index / H, index % H] += delta; break;
            case 4: Wuv[index / V, index % V] += delta; break;
            case 5: Wvu[index / U, index % U] += delta; break;
            case 6: Wuu[index / U, index % U] += delta; break;
            case 7: Bu[index] += delta; break;
            default: U0[index] += delta; break;
        }
    }

    public int TensorLength(int tensor) => tensor switch
    {
        0 => V * H, 1 => V, 2 => H, 3 => U * H, 4 => U * V, 5 => V * U, 6 => U * U, _ => U, // bu, u0
    };

    /// <summary>bv_t, bh_t for t = 1..T and u_0..u_T (spec "Recurrence").</summary>
    public (double[,] Bvt, double[,] Bht, double[,] States) Recur(double[,] x)
    {
        int steps = x.GetLength(0);
        var states = new double[steps + 1, U];
        for (int j = 0; j < U; j++)
        {
            states[0, j] = U0[j]; // u_0 = u0
        }
        var bvt = new double[steps, V];
        var bht = new double[steps, H];
        for (int t = 0; t < steps; t++) // row t is step t+1; u_{t} of the spec's step t+1 is states[t]
        {
            for (int i = 0; i < V; i++)
            {
                double s = Bv[i];
                for (int j = 0; j < U; j++)
                {
                    s += states[t, j] * Wuv[j, i];
                }
                bvt[t, i] = s;
            }
            for (int k = 0; k < H; k++)
            {
                double s = Bh[k];
                for (int j = 0; j < U; j++)
                {
                    s += states[t, j] * Wuh[j, k];
                }
                bht[t, k] = s;
            }
            for (int j = 0; j < U; j++)
            {
                double a = Bu[j];
                for (int i = 0; i < V; i++)
                {
                    a += x[t, i] * Wvu[i, j];
                }
                for (int m = 0; m < U; m++)
                {
                    a += states[t, m] * Wuu[m, j];
                }
                states[t + 1, j] = Math.Tanh(a);
            }
        }
        return (bvt, bht, states);
    }

    /// <summary>F_t(v) = -v·bv_t - Σ_j softplus((v W)_j + bh_t_j).</summary>
    private double FreeEnergy(double[,] v, int t, double[,] bvt, double[,] bht)
    {
        double f = 0;
        for (int i = 0; i < V; i++)
        {
            f -= v[t, i] * bvt[t, i];
        }
        for (int k = 0; k < H; k++)
        {
            double a = bht[t, k];
            for (int i = 0; i < V; i++)
            {
                a += v[t, i] * W[i, k];
            }
            f -= Softplus(a);
        }
        return f;
    }

    public double Cost(double[,] x, double[,] vNeg)
    {
        (double[,] bvt, double[,] bht, _) = Recur(x);
        int steps = x.GetLength(0);
        double c = 0;
        for (int t = 0; t < steps; t++)
        {
            c += FreeEnergy(x, t, bvt, bht) - FreeEnergy(vNeg, t, bvt, bht);
        }
        return c / steps;
    }

    /// <summary>∂C/∂θ as a reference-shaped object, from the spec's formulas.</summary>
    public ReferenceRnnRbm Gradient(double[,] x, double[,] vNeg)
    {
        int steps = x.GetLength(0);
        (double[,] bvt, double[,] bht, double[,] states) = Recur(x);
        var g = new ReferenceRnnRbm(V, H, U);
        var dBvt = new double[steps, V];
        var dBht = new double[steps, H];
        for (int t = 0; t < steps; t++)
        {
            for (int k = 0; k < H; k++)
            {
                double aPos = bht[t, k], aNeg = bht[t, k];
                for (int i = 0; i < V; i++)
                {
                    aPos += x[t, i] * W[i, k];
                    aNeg += vNeg[t, i] * W[i, k];
                }
                double hPos = Sigmoid(aPos), hNeg = Sigmoid(aNeg);
                dBht[t, k] = (hNeg - hPos) / steps;
                for (int i = 0; i < V; i++)
                {
                    g.W[i, k] += ((vNeg[t, i] * hNeg) - (x[t, i] * hPos)) / steps;
                }
            }
            for (int i = 0; i < V; i++)
            {
                dBvt[t, i] = (vNeg[t, i] - x[t, i]) / steps;
            }
        }
        for (int t = 0; t < steps; t++)
        {
            for (int i = 0; i < V; i++)
            {
                g.Bv[i] += dBvt[t, i];
                for (int j = 0; j < U; j++)
                {
                    g.Wuv[j, i] += states[t, j] * dBvt[t, i];
                }
            }
            for (int k = 0; k < H; k++)
            {
                g.Bh[k] += dBht[t, k];
                for (int j = 0; j < U; j++)
                {
                    g.Wuh[j, k] += states[t, j] * dBht[t, k];
                }
            }
        }
        // BPTT, t = T..1, g_T = 0.
        var gu = new double[U];
        for (int t = steps - 1; t >= 0; t--) // row t = spec step t+1; u_{t+1} = states[t+1], u_t = states[t]
        {
            var delta = new double[U];
            for (int j = 0; j < U; j++)
            {
                double ut = states[t + 1, j];
                delta[j] = gu[j] * (1 - (ut * ut));
            }
            var previous = new double[U];
            for (int m = 0; m < U; m++)
            {
                double s = 0;
                for (int i = 0; i < V; i++)
                {
                    s += dBvt[t, i] * Wuv[m, i];
                }
                for (int k = 0; k < H; k++)
                {
                    s += dBht[t, k] * Wuh[m, k];
                }
                for (int j = 0; j < U; j++)
                {
                    s += delta[j] * Wuu[m, j];
                }
                previous[m] = s;
            }
            for (int j = 0; j < U; j++)
            {
                for (int i = 0; i < V; i++)
                {
                    g.Wvu[i, j] += x[t, i] * delta[j];
                }
                for (int m = 0; m < U; m++)
                {
                    g.Wuu[m, j] += states[t, m] * delta[j];
                }
                g.Bu[j] += delta[j];
            }
            gu = previous;
        }
        Array.Copy(gu, g.U0, U); // ∂C/∂u0 = g_0
        return g;
    }

    /// <summary>The RNN pretraining's cost: L = (1/T) Σ_t Σ_i [softplus(z_ti) − v_ti z_ti], z_t = bv + u_{t-1} Wuv (= bv_t).</summary>
    public double CrossEntropy(double[,] x)
    {
        (double[,] z, _, _) = Recur(x);
        int steps = x.GetLength(0);
        double loss = 0;
        for (int t = 0; t < steps; t++)
        {
            for (int i = 0; i < V; i++)
            {
                loss += Softplus(z[t, i]) - (x[t, i] * z[t, i]);
            }
        }
        return loss / steps;
    }

    /// <summary>∂L/∂θ of <see cref="CrossEntropy"/>: ∂L/∂z_t = (σ(z_t) − v_t)/T, then BPTT through bv_t only.</summary>
    public ReferenceRnnRbm CrossEntropyGradient(double[,] x)
    {
        int steps = x.GetLength(0);
        (double[,] z, _, double[,] states) = Recur(x);
        var g = new ReferenceRnnRbm(V, H, U);
        var dz = new double[steps, V];
        for (int t = 0; t < steps; t++)
        {
            for (int i = 0; i < V; i++)
            {
                dz[t, i] = (Sigmoid(z[t, i]) - x[t, i]) / steps;
                g.Bv[i] += dz[t, i];
                for (int j = 0; j < U; j++)
                {
                    g.Wuv[j, i] += states[t, j] * dz[t, i];
                }
            }
        }
        var gu = new double[U];
        for (int t = steps - 1; t >= 0; t--)
        {
            var delta = new double[U];
            for (int j = 0; j < U; j++)
            {
                delta[j] = gu[j] * (1 - (states[t + 1, j] * states[t + 1, j]));
            }
            var previous = new double[U];
            for (int m = 0; m < U; m++)
            {
                double s = 0;
                for (int i = 0; i < V; i++)
                {
                    s += dz[t, i] * Wuv[m, i];
                }
                for (int j = 0; j < U; j++)
                {
                    s += delta[j] * Wuu[m, j];
                }
                previous[m] = s;
            }
            for (int j = 0; j < U; j++)
            {
                for (int i = 0; i < V; i++)
                {
                    g.Wvu[i, j] += x[t, i] * delta[j];
                }
                for (int m = 0; m < U; m++)
                {
                    g.Wuu[m, j] += states[t, m] * delta[j];
                }
                g.Bu[j] += delta[j];
            }
            gu = previous;
        }
        Array.Copy(gu, g.U0, U);
        return g;
    }

    private static double Softplus(double a) => a > 0 ? a + double.LogP1(Math.Exp(-a)) : double.LogP1(Math.Exp(a));

    private static double Sigmoid(double a) => 1 / (1 + Math.Exp(-a));

    private static void Visit1(int tensor, double[] values, Func<int, int, double> visit, bool set)
    {
        for (int i = 0; i < values.Length; i++)
        {
            double r = visit(tensor, i);
            if (set)
            {
                values[i] = r;
            }
        }
    }

    private static void Visit2(int tensor, double[,] values, Func<int, int, double> visit, bool set)
    {
        int cols = values.GetLength(1);
        for (int i = 0; i < values.GetLength(0); i++)
        {
            for (int j = 0; j < cols; j++)
            {
                double r = visit(tensor, (i * cols) + j);
                if (set)
                {
                    values[i, j] = r;
                }
            }
        }
    }
}
