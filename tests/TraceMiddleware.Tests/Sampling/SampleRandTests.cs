using System.Globalization;
using System.Text;
using TraceMiddleware.Sampling;
using TraceMiddleware.Testing;

namespace TraceMiddleware.Tests.Sampling;

public class SampleRandTests
{
    [Theory]
    [InlineData("0", 0.0)]
    [InlineData("-0", 0.0)]
    [InlineData("0.0", 0.0)]
    [InlineData("0.5", 0.5)]
    [InlineData(".5", 0.5)]
    [InlineData("+0.25", 0.25)]
    [InlineData("5e-1", 0.5)]
    [InlineData("1E-7", 1e-7)]
    [InlineData("0.000001", 0.000001)]
    [InlineData("0.3276234201731898", 0.3276234201731898)]
    [InlineData("0.999999", 0.999999)]
    [InlineData("0.999999999", 0.999999999)]
    [InlineData("0.99999999999999988898", 0.9999999999999999)]
    public void TryParse_ValidSampleRand_IsAccepted(string text, double expected)
    {
        // Act
        var ok = SampleRand.TryParse(text, out var value);

        // Assert
        Assert.True(ok);
        Assert.Equal(expected, value);
        Assert.False(double.IsNegative(value));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("1.0")]
    [InlineData("1.000000")]
    [InlineData("1e0")]
    [InlineData("0.99999999999999999999")]
    [InlineData("-0.1")]
    [InlineData("-1e-9")]
    [InlineData("2")]
    [InlineData("NaN")]
    [InlineData("nan")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("∞")]
    [InlineData("abc")]
    [InlineData("0x1")]
    [InlineData("0,5")]
    [InlineData("0.5.5")]
    [InlineData(" 0.5")]
    [InlineData("0.5 ")]
    [InlineData("\t0.5")]
    [InlineData("0.5\n")]
    [InlineData("1,000")]
    [InlineData("0.5e")]
    [InlineData("e-1")]
    [InlineData(".")]
    [InlineData("-")]
    [InlineData("0.5%")]
    [InlineData("0.5;x")]
    [InlineData("٠.٥")]
    public void TryParse_InvalidSampleRand_IsRejected(string text)
    {
        // Act
        var ok = SampleRand.TryParse(text, out var value);

        // Assert
        Assert.False(ok);
        Assert.Equal(0, value);
    }

    [Fact]
    public void TryParse_AtMaxLength_IsAccepted()
    {
        // Arrange
        var text = "0." + new string('5', SampleRand.MaxLength - 2);

        // Act
        var ok = SampleRand.TryParse(text, out var value);

        // Assert
        Assert.Equal(SampleRand.MaxLength, text.Length);
        Assert.True(ok);
        Assert.InRange(value, 0.5555, 0.5556);
    }

    [Fact]
    public void TryParse_OnePastMaxLength_IsRejected()
    {
        // Arrange
        var text = "0." + new string('5', SampleRand.MaxLength - 1);

        // Act
        var ok = SampleRand.TryParse(text, out _);

        // Assert
        Assert.False(ok);
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(0.5, "0.5")]
    [InlineData(0.1, "0.1")]
    [InlineData(0.25, "0.25")]
    [InlineData(0.123456, "0.123456")]
    [InlineData(0.000001, "0.000001")]
    [InlineData(0.00001, "0.00001")]
    [InlineData(0.999999, "0.999999")]
    [InlineData(0.100001, "0.100001")]
    [InlineData(0.3276234201731898, "0.327623")]
    [InlineData(0.1234569, "0.123456")]
    [InlineData(0.9999999, "0.999999")]
    [InlineData(0.9999999999999999, "0.999999")]
    [InlineData(1e-7, "0")]
    [InlineData(0.0000019, "0.000001")]
    public void Format_Value_WritesAtMostSixDecimalsTruncated(double value, string expected)
    {
        // Act
        var text = SampleRand.Format(value);

        // Assert
        Assert.Equal(expected, text);
    }

    [Fact]
    public void Format_NegativeZero_WritesZero()
    {
        // Act
        var text = SampleRand.Format(-0.0);

        // Assert
        Assert.Equal("0", text);
    }

    [Theory]
    [InlineData(0.3276234201731898, 0.327623)]
    [InlineData(0.1234569, 0.123456)]
    [InlineData(0.9999999, 0.999999)]
    [InlineData(0.5, 0.5)]
    [InlineData(1e-7, 0.0)]
    public void Normalize_Value_ReturnsGridValueThatIsSent(double value, double expected)
    {
        // Act
        var normalized = SampleRand.Normalize(value);

        // Assert
        Assert.Equal(expected, normalized);
        Assert.Equal(normalized, double.Parse(SampleRand.Format(value), CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Normalize_EveryGridValue_IsUnchangedAndRoundTrips()
    {
        for (var k = 0; k < SampleRand.GridSize; k++)
        {
            // Arrange
            var value = k / 1e6;

            // Act
            var normalized = SampleRand.Normalize(value);
            var text = SampleRand.Format(value);

            // Assert (only on failure, to keep a million iterations fast)
            if (normalized != value || !SampleRand.TryParse(text, out var parsed) || parsed != value)
            {
                Assert.Fail($"k={k}: value {value:R} normalized to {normalized:R}, formatted as {text}");
            }
        }
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(-double.Epsilon)]
    [InlineData(1.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Format_OutOfRange_Throws(double value)
    {
        // Act & Assert
        Assert.Throws<ArgumentOutOfRangeException>(() => SampleRand.Format(value));
        Assert.Throws<ArgumentOutOfRangeException>(() => SampleRand.Normalize(value));
    }

    [Theory]
    [InlineData(0.123456)]
    [InlineData(0.5)]
    [InlineData(0.0)]
    public void TryFormat_DestinationTooSmall_ReturnsFalse(double value)
    {
        // Arrange
        var expected = SampleRand.Format(value);

        for (var size = 0; size < expected.Length; size++)
        {
            // Act
            var ok = SampleRand.TryFormat(value, new char[size], out var written);

            // Assert
            Assert.False(ok);
            Assert.Equal(0, written);
        }

        Assert.True(SampleRand.TryFormat(value, new char[expected.Length], out var full));
        Assert.Equal(expected.Length, full);
    }

    [Fact]
    public void Generate_ManyDraws_AreOnGridBelowOne()
    {
        for (var i = 0; i < 10_000; i++)
        {
            // Act
            var value = SampleRand.Generate();

            // Assert
            Assert.InRange(value, 0.0, SampleRand.MaxValue);
            Assert.Equal(value, SampleRand.Normalize(value));
        }
    }

    [Theory]
    [InlineData(true, 0.5, 0.5, 0.25)]
    [InlineData(false, 0.5, 0.5, 0.75)]
    [InlineData(true, 0.5, 0.0, 0.0)]
    [InlineData(false, 0.25, 0.0, 0.25)]
    [InlineData(true, 1.0, 0.999999, 0.999999)]
    [InlineData(false, 1.0, 0.3, 0.999999)]
    [InlineData(true, 0.000001, 0.5, 0.0)]
    [InlineData(true, 1e-9, 0.5, 0.0)]
    [InlineData(false, 0.9999995, 0.3, 0.999999)]
    [InlineData(true, 0.3, 0.999999, 0.299999)]
    [InlineData(false, 0.3, 0.000001, 0.300001)]
    public void Derive_Decision_GivesConsistentSampleRand(bool sampled, double rate, double random, double expected)
    {
        // Act
        var value = SampleRand.Derive(sampled, rate, random);

        // Assert
        Assert.Equal(expected, value);
    }

    [Fact]
    public void Derive_SeededRatesAndRands_StaysOnTheDecisionsSideOfTheRate()
    {
        // Arrange
        var random = new Random(20240611);

        for (var i = 0; i < 100_000; i++)
        {
            var rate = (i % 3) switch
            {
                0 => 1 - random.NextDouble(),
                1 => random.Next(1, SampleRand.GridSize + 1) / 1e6,
                _ => Math.Pow(10, -random.Next(0, 9)) * (1 - random.NextDouble()),
            };
            var rand = random.Next(0, SampleRand.GridSize) / 1e6;

            // Act
            var sampled = SampleRand.Derive(true, rate, rand);
            var unsampled = SampleRand.Derive(false, rate, rand);

            // Assert
            Assert.True(sampled < rate, $"sampled {sampled:R} not below rate {rate:R} (rand {rand:R})");
            Assert.True(sampled >= 0);
            Assert.True(unsampled >= rate || (rate > SampleRand.MaxValue && unsampled == SampleRand.MaxValue), $"unsampled {unsampled:R} below rate {rate:R} (rand {rand:R})");
            Assert.True(unsampled < 1);
            Assert.Equal(sampled, SampleRand.Normalize(sampled));
            Assert.Equal(unsampled, SampleRand.Normalize(unsampled));
            Assert.True(SampleRand.Format(sampled).Length <= SampleRand.MaxFormattedLength);
        }
    }

    [Theory]
    [InlineData(0.0, 0.5)]
    [InlineData(-0.1, 0.5)]
    [InlineData(1.1, 0.5)]
    [InlineData(double.NaN, 0.5)]
    [InlineData(0.5, 1.0)]
    [InlineData(0.5, -0.1)]
    [InlineData(0.5, double.NaN)]
    public void Derive_OutOfRangeArgument_Throws(double rate, double random)
    {
        // Act & Assert
        Assert.Throws<ArgumentOutOfRangeException>(() => SampleRand.Derive(true, rate, random));
    }

    [Fact]
    public void TryParse_SeededFuzz_NeverThrowsAndAcceptedValuesRoundTrip()
    {
        // Arrange
        var random = new Random(8675309);
        string[] valid = ["0", "0.5", "0.3276234201731898", "0.999999", "0.000001", "0.123456", ".25", "1e-3", "0.999999999"];
        const string alphabet = "0123456789.-+eE ,xXabfNnIi∞٠\t%;=";
        var accepted = 0;

        for (var i = 0; i < 20_000; i++)
        {
            var text = i % 2 == 0 ? FuzzText.Random(random, alphabet, 12) : Mutate(random, valid[random.Next(valid.Length)], alphabet);

            // Act
            var ok = SampleRand.TryParse(text, out var value);

            // Assert
            if (!ok)
            {
                Assert.Equal(0, value);
                continue;
            }

            accepted++;
            Assert.InRange(value, 0.0, 1.0);
            Assert.True(value < 1, $"'{text}' accepted as {value:R}");
            var formatted = SampleRand.Format(value);
            Assert.True(SampleRand.TryParse(formatted, out var again), $"'{text}' formatted as '{formatted}', which does not parse");
            Assert.True(again < 1);
            Assert.True(Math.Abs(again - value) <= 1e-6, $"'{text}': {value:R} came back as {again:R}");
            Assert.Equal(SampleRand.Normalize(value), again);
            Assert.Equal(formatted, SampleRand.Format(again));
        }

        Assert.True(accepted > 1_000, $"only {accepted} inputs were accepted; the fuzz does not reach the accepting path enough");
    }

    private static string Mutate(Random random, string value, string alphabet)
    {
        var builder = new StringBuilder(value);
        var edits = random.Next(0, 3);
        for (var i = 0; i < edits; i++)
        {
            var position = builder.Length == 0 ? 0 : random.Next(builder.Length);
            switch (random.Next(5))
            {
                case 0:
                    builder.Insert(position, alphabet[random.Next(alphabet.Length)]);
                    break;
                case 1 when builder.Length > 0:
                    builder.Remove(position, 1);
                    break;
                case 2 when builder.Length > 0:
                    builder[position] = (char)('0' + random.Next(10));
                    break;
                case 3:
                    builder.Append(random.Next(0, 1_000_000).ToString(CultureInfo.InvariantCulture));
                    break;
                default:
                    builder.Insert(0, random.Next(2) == 0 ? "0." : "-");
                    break;
            }
        }

        return builder.ToString();
    }
}
