using System.Runtime.CompilerServices;

namespace TraceMiddleware.Propagation;

/// <summary>Room for the members of a typical header on the stack (see <see cref="BaggageMemberCollector"/>).</summary>
[InlineArray(Length)]
internal struct BaggageMemberInlineArray
{
    /// <summary>How many members fit before the collector moves to the heap.</summary>
    public const int Length = 16;

    private BaggageMember _first;
}
