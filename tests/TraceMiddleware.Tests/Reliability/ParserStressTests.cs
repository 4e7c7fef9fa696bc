using TraceMiddleware.Propagation;
using TraceMiddleware.Testing;

namespace TraceMiddleware.Tests.Reliability;

/// <summary>
/// The hostile-header generator at the parser level: no parser throws, and what a parser accepts formats
/// back to text it accepts again with the same value. build/stress.sh runs a million inputs per parser.
/// </summary>
public sealed class ParserStressTests
{
    private static readonly int Inputs = HostileHeaders.Count("HOSTILE_PARSER_INPUTS", 100_000);

    // Baggage inputs run up to 16 KiB each; the fast run keeps to 20,000 of them.
    private static readonly int BaggageInputs = HostileHeaders.Count("HOSTILE_PARSER_INPUTS", 20_000);

    [Fact]
    public void SentryTrace_HostileInputs_NeverThrow_AndRoundTrip()
    {
        var generator = new HostileHeaders(seed: 1);
        var accepted = 0;
        for (var i = 0; i < Inputs; i++)
        {
            var value = generator.NextValue(0);
            if (SentryTraceHeader.TryParse(value, out var header))
            {
                accepted++;
                Assert.True(SentryTraceHeader.TryParse(header.ToString(), out var again), value);
                Assert.Equal(header, again);
            }
        }

        Assert.InRange(accepted, 1, Inputs - 1);
    }

    [Fact]
    public void Traceparent_HostileInputs_NeverThrow_AndRoundTrip()
    {
        var generator = new HostileHeaders(seed: 2);
        var accepted = 0;
        for (var i = 0; i < Inputs; i++)
        {
            var value = generator.NextValue(1);
            if (TraceParentHeader.TryParse(value, out var header))
            {
                accepted++;
                Assert.True(TraceParentHeader.TryParse(header.ToString(), out var again), value);
                Assert.Equal((header.TraceId, header.ParentId, header.Sampled), (again.TraceId, again.ParentId, again.Sampled));
            }
        }

        Assert.InRange(accepted, 1, Inputs - 1);
    }

    [Fact]
    public void Tracestate_HostileInputs_NeverThrow_AndRoundTrip()
    {
        var generator = new HostileHeaders(seed: 3);
        var accepted = 0;
        for (var i = 0; i < Inputs; i++)
        {
            var value = generator.NextValue(2);
            if (TraceStateHeader.TryParse(value, out var header) && !header.IsEmpty)
            {
                accepted++;
                Assert.True(TraceStateHeader.TryParse(header.ToString(), out var again), value);
                Assert.Equal(header, again);
            }
        }

        Assert.InRange(accepted, 1, Inputs - 1);
    }

    [Fact]
    public void Baggage_HostileInputs_NeverThrow_AndFormatToValidHeaders()
    {
        var generator = new HostileHeaders(seed: 4);
        var withMembers = 0;
        for (var i = 0; i < BaggageInputs; i++)
        {
            var value = generator.NextValue(3);
            var baggage = Baggage.Parse(value);
            var dsc = DynamicSamplingContext.FromBaggage(baggage);
            var outgoing = Baggage.BuildOutgoing(value, dsc, baggage.ThirdPartyMembers());
            if (baggage.Count == 0)
            {
                continue;
            }

            withMembers++;
            var text = baggage.ToString();
            Assert.Equal(text, Baggage.Parse(text).ToString());
            Assert.True(text.Length <= Baggage.MaxBytes, value);
            if (outgoing is not null)
            {
                Assert.True(outgoing.Length <= Baggage.MaxBytes, value);
                // Spaces and tabs are W3C OWS around ';' and '=' in properties; nothing else outside tokens.
                foreach (var c in outgoing)
                {
                    Assert.True(c is ' ' or '\t' or (> ' ' and < (char)0x7F and not '"' and not '\\'), $"U+{(int)c:X4} in outgoing baggage for input {value}");
                }

                Assert.True(Baggage.TryParse(outgoing, out _), value);
            }
        }

        Assert.InRange(withMembers, 1, BaggageInputs);
    }
}
