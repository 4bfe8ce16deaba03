using RnnRbm.Core.Model;

namespace RnnRbm.Core.Tests.Model;

/// <summary>
/// The slow, obviously-correct reference: the cost C = (1/T) Σ_t [F_t(v_t) - F_t(v*_t)] with v* fixed and its
/// exact gradient, in plain loops and double precision, written straight from the formulas of docs/model.md, "Cost and gradient".
/// Tensors are those of docs/model.md, "Sizes and parameters", in <see cref="RnnRbmParameters.Tensors"/> order.
/// </summary>
internal sealed class ReferenceRnnRbm
{
    public ReferenceRnnRbm(int v, int h, int u, bool gru = false)
    {
        Gru = gru;
        Wvz = new double[v, u];
        Wuz = new double[u, u];
        Bz = new double[u];
        Wvr = new double[v, u];
        Wur = new double[u, u];
        Br = new double[u];
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

    /// <summary>A GRU recurrence (<see cref="RecurrenceKind.Gru"/>): tensors 9..14 are its gates.</summary>
    public bool Gru { get; }
    public double[,] Wvz { get; }
    public double[,] Wuz { get; }
    public double[] Bz { get; }
    public double[,] Wvr { get; }
    public double[,] Wur { get; }
    public double[] Br { get; }

    /// <summary>Tensors visited: 9 for tanh, 15 for a GRU.</summary>
    public int TensorCount => Gru ? 15 : 9;

    // The GRU's gates of the last Recur, [t, j] for step t+1 of docs/model.md.
    private double[,] _z = new double[0, 0], _r = new double[0, 0], _c = new double[0, 0];

    public static ReferenceRnnRbm From(RnnRbmParameters p)
    {
        var r = new ReferenceRnnRbm(p.Shape.Visible, p.Shape.Hidden, p.Shape.Recurrent, p.Shape.Kind == RecurrenceKind.Gru);
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
        if (Gru)
        {
            Visit2(9, Wvz, visit, set);
            Visit2(10, Wuz, visit, set);
            Visit1(11, Bz, visit, set);
            Visit2(12, Wvr, visit, set);
            Visit2(13, Wur, visit, set);
            Visit1(14, Br, visit, set);
        }
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
        8 => U0[index],
        9 => Wvz[index / U, index % U],
        10 => Wuz[index / U, index % U],
        11 => Bz[index],
        12 => Wvr[index / U, index % U],
        13 => Wur[index / U, index % U],
        _ => Br[index],
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
            case 8: U0[index] += delta; break;
            case 9: Wvz[index / U, index % U] += delta; break;
            case 10: Wuz[index / U, index % U] += delta; break;
            case 11: Bz[index] += delta; break;
            case 12: Wvr[index / U, index % U] += delta; break;
            case 13: Wur[index / U, index % U] += delta; break;
            default: Br[index] += delta; break;
        }
    }

    public int TensorLength(int tensor) => tensor switch
    {
        0 => V * H, 1 => V, 2 => H, 3 => U * H, 4 => U * V, 5 => V * U, 6 => U * U, 9 or 12 => V * U, 10 or 13 => U * U,
        _ => U, // bu, u0, bz, br
    };

    /// <summary>bv_t, bh_t for t = 1..T and u_0..u_T (docs/model.md, "Recurrence").</summary>
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
        for (int t = 0; t < steps; t++) // row t is step t+1; u_{t} of docs/model.md's step t+1 is states[t]
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
            if (Gru)
            {
                GruStep(x, t, states);
                continue;
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

    // z = σ(bz + v Wvz + u Wuz), r = σ(br + v Wvr + u Wur), c = tanh(bu + v Wvu + (r ⊙ u) Wuu), u' = (1 − z) u + z c.
    private void GruStep(double[,] x, int t, double[,] states)
    {
        if (t == 0)
        {
            int steps = x.GetLength(0);
            _z = new double[steps, U];
            _r = new double[steps, U];
            _c = new double[steps, U];
        }
        for (int j = 0; j < U; j++)
        {
            double az = Bz[j], ar = Br[j];
            for (int i = 0; i < V; i++)
            {
                az += x[t, i] * Wvz[i, j];
                ar += x[t, i] * Wvr[i, j];
            }
            for (int m = 0; m < U; m++)
            {
                az += states[t, m] * Wuz[m, j];
                ar += states[t, m] * Wur[m, j];
            }
            _z[t, j] = Sigmoid(az);
            _r[t, j] = Sigmoid(ar);
        }
        for (int j = 0; j < U; j++)
        {
            double ac = Bu[j];
            for (int i = 0; i < V; i++)
            {
                ac += x[t, i] * Wvu[i, j];
            }
            for (int m = 0; m < U; m++)
            {
                ac += _r[t, m] * states[t, m] * Wuu[m, j];
            }
            _c[t, j] = Math.Tanh(ac);
            states[t + 1, j] = ((1 - _z[t, j]) * states[t, j]) + (_z[t, j] * _c[t, j]);
        }
    }

    /// <summary>
    /// GRU back-propagation through time, straight from the chain rule: e[t, m] is the part of ∂/∂u_t (state row t)
    /// that flows through bv_{t+1} and bh_{t+1}; writes the recurrence's gradients and ∂/∂u0 into <paramref name="g"/>.
    /// </summary>
    private void GruBackward(double[,] x, double[,] states, double[,] e, ReferenceRnnRbm g)
    {
        int steps = x.GetLength(0);
        var gu = new double[U]; // ∂/∂u_{t+1}, state row t+1
        for (int t = steps - 1; t >= 0; t--)
        {
            var dac = new double[U];
            var daz = new double[U];
            var previous = new double[U];
            for (int j = 0; j < U; j++)
            {
                dac[j] = gu[j] * _z[t, j] * (1 - (_c[t, j] * _c[t, j]));
                daz[j] = gu[j] * (_c[t, j] - states[t, j]) * _z[t, j] * (1 - _z[t, j]);
                previous[j] = e[t, j] + (gu[j] * (1 - _z[t, j]));
            }
            var rho = new double[U]; // ∂/∂(r ⊙ u_prev)
            for (int m = 0; m < U; m++)
            {
                for (int j = 0; j < U; j++)
                {
                    rho[m] += dac[j] * Wuu[m, j];
                }
            }
            var dar = new double[U];
            for (int m = 0; m < U; m++)
            {
                dar[m] = rho[m] * states[t, m] * _r[t, m] * (1 - _r[t, m]);
                previous[m] += rho[m] * _r[t, m];
            }
            for (int m = 0; m < U; m++)
            {
                for (int j = 0; j < U; j++)
                {
                    previous[m] += (daz[j] * Wuz[m, j]) + (dar[j] * Wur[m, j]);
                }
            }
            for (int j = 0; j < U; j++)
            {
                for (int i = 0; i < V; i++)
                {
                    g.Wvu[i, j] += x[t, i] * dac[j];
                    g.Wvz[i, j] += x[t, i] * daz[j];
                    g.Wvr[i, j] += x[t, i] * dar[j];
                }
                for (int m = 0; m < U; m++)
                {
                    g.Wuu[m, j] += _r[t, m] * states[t, m] * dac[j];
                    g.Wuz[m, j] += states[t, m] * daz[j];
                    g.Wur[m, j] += states[t, m] * dar[j];
                }
                g.Bu[j] += dac[j];
                g.Bz[j] += daz[j];
                g.Br[j] += dar[j];
            }
            gu = previous;
        }
        Array.Copy(gu, g.U0, U);
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

    /// <summary>∂C/∂θ as a reference-shaped object, from the formulas of docs/model.md, "Cost and gradient".</summary>
    public ReferenceRnnRbm Gradient(double[,] x, double[,] vNeg)
    {
        int steps = x.GetLength(0);
        (double[,] bvt, double[,] bht, double[,] states) = Recur(x);
        var g = new ReferenceRnnRbm(V, H, U, Gru);
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
        if (Gru)
        {
            var e = new double[steps, U];
            for (int t = 0; t < steps; t++)
            {
                for (int m = 0; m < U; m++)
                {
                    for (int i = 0; i < V; i++)
                    {
                        e[t, m] += dBvt[t, i] * Wuv[m, i];
                    }
                    for (int k = 0; k < H; k++)
                    {
                        e[t, m] += dBht[t, k] * Wuh[m, k];
                    }
                }
            }
            GruBackward(x, states, e, g);
            return g;
        }
        // BPTT, t = T..1, g_T = 0.
        var gu = new double[U];
        for (int t = steps - 1; t >= 0; t--) // row t = step t+1 of docs/model.md; u_{t+1} = states[t+1], u_t = states[t]
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
        var g = new ReferenceRnnRbm(V, H, U, Gru);
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
        if (Gru)
        {
            var e = new double[steps, U];
            for (int t = 0; t < steps; t++)
            {
                for (int m = 0; m < U; m++)
                {
                    for (int i = 0; i < V; i++)
                    {
                        e[t, m] += dz[t, i] * Wuv[m, i];
                    }
                }
            }
            GruBackward(x, states, e, g);
            return g;
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
