using System.Globalization;
using System.Text;
using TraceMiddleware.Sampling;

namespace TraceMiddleware.Tests.Sampling;

public class SampleRateTests
{
    [Theory]
    [InlineData("0", 0.0)]
    [InlineData("-0", 0.0)]
    [InlineData("1", 1.0)]
    [InlineData("1.0", 1.0)]
    [InlineData("0.25", 0.25)]
    [InlineData("1e-7", 1e-7)]
    [InlineData("0.0001", 0.0001)]
    public void TryParse_ValidRate_IsAccepted(string text, double expected)
    {
        // Act
        var ok = SampleRate.TryParse(text, out var value);

        // Assert
        Assert.True(ok);
        Assert.Equal(expected, value);
        Assert.False(double.IsNegative(value));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.0000001")]
    [InlineData("2")]
    [InlineData("-0.1")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("abc")]
    [InlineData(" 0.5")]
    [InlineData("0,5")]
    [InlineData("50%")]
    public void TryParse_InvalidRate_IsRejected(string text)
    {
        // Act
        var ok = SampleRate.TryParse(text, out var value);

        // Assert
        Assert.False(ok);
        Assert.Equal(0, value);
    }

    [Fact]
    public void TryParse_LengthLimit_IsEnforcedAtTheEdge()
    {
        // Arrange
        var atLimit = "0." + new string('1', SampleRate.MaxLength - 2);
        var pastLimit = atLimit + "1";

        // Act & Assert
        Assert.True(SampleRate.TryParse(atLimit, out _));
        Assert.False(SampleRate.TryParse(pastLimit, out _));
    }

    [Theory]
    [InlineData(0.0, true)]
    [InlineData(1.0, true)]
    [InlineData(0.5, true)]
    [InlineData(-0.0000001, false)]
    [InlineData(1.0000001, false)]
    [InlineData(double.NaN, false)]
    [InlineData(double.PositiveInfinity, false)]
    public void IsValid_Rate_IsTrueOnlyInZeroToOne(double rate, bool expected)
    {
        // Act & Assert
        Assert.Equal(expected, SampleRate.IsValid(rate));
    }

    [Fact]
    public void TryParse_SeededFuzz_NeverThrowsAndAcceptedValuesRoundTrip()
    {
        // Arrange
        var random = new Random(424242);
        string[] valid = ["0", "1", "0.25", "1.0", "0.3333333333333333", "1e-4"];
        const string alphabet = "0123456789.-+eE ,xNaIn∞%";
        var accepted = 0;

        for (var i = 0; i < 10_000; i++)
        {
            var builder = new StringBuilder(i % 2 == 0 ? string.Empty : valid[random.Next(valid.Length)]);
            var extra = random.Next(0, 4);
            for (var j = 0; j < extra; j++)
            {
                builder.Insert(random.Next(builder.Length + 1), alphabet[random.Next(alphabet.Length)]);
            }

            var text = builder.ToString();

            // Act
            var ok = SampleRate.TryParse(text, out var value);

            // Assert
            if (!ok)
            {
                continue;
            }

            accepted++;
            Assert.InRange(value, 0.0, 1.0);
            var formatted = value.ToString("R", CultureInfo.InvariantCulture);
            Assert.True(SampleRate.TryParse(formatted, out var again), $"'{text}' -> {formatted} does not parse");
            Assert.Equal(value, again);
        }

        Assert.True(accepted > 500, $"only {accepted} inputs were accepted");
    }
}
