namespace RnnRbm.Core.Model;

/// <summary>How the RNN's state u_t follows from v_t and u_{t-1}.</summary>
public enum RecurrenceKind
{
    /// <summary>The paper's: u_t = tanh(bu + v_t Wvu + u_{t-1} Wuu).</summary>
    Tanh,

    /// <summary>
    /// A gated recurrent unit (Cho et al. 2014) in its place, beyond the paper:
    /// z_t = σ(bz + v_t Wvz + u_{t-1} Wuz), r_t = σ(br + v_t Wvr + u_{t-1} Wur),
    /// c_t = tanh(bu + v_t Wvu + (r_t ⊙ u_{t-1}) Wuu), u_t = (1 − z_t) ⊙ u_{t-1} + z_t ⊙ c_t.
    /// </summary>
    Gru,
}
