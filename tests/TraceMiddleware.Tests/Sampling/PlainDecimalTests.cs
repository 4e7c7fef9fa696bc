using System.Globalization;
using System.Text;
using TraceMiddleware.Sampling;

namespace TraceMiddleware.Tests.Sampling;

public class PlainDecimalTests
{
    private const NumberStyles Style = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("1.0")]
    [InlineData("0.25")]
    [InlineData("0.3276234201731898")]
    [InlineData("0.9999999999999999")]
    [InlineData("0.99999999999999999")]
    [InlineData("9007199254740992")]
    [InlineData("9007199254740993")]
    [InlineData("0.9007199254740993")]
    [InlineData("0.0000000000000000000001")]
    [InlineData("0.00000000000000000000001")]
    [InlineData("1234567890123456789")]
    [InlineData("12345678901234567890")]
    [InlineData("5.")]
    [InlineData(".5")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData("-0")]
    [InlineData("-0.5")]
    [InlineData("+0.5")]
    [InlineData("1e-7")]
    [InlineData("0.5.5")]
    [InlineData("0,5")]
    [InlineData(" 0.5")]
    [InlineData("NaN")]
    [InlineData("٠.٥")]
    public void TryParse_Edges_AgreeWithDoubleTryParse(string text) => AssertAgrees(text);

    [Fact]
    public void TryParse_GeneratedDecimals_AgreeWithDoubleTryParse_BitForBit()
    {
        // Digits around every limit of the fast path (19 digits, 2^53, 22 decimals), with and without a
        // point, leading zeros and the odd stray character.
        var random = new Random(20261121);
        var text = new StringBuilder();
        for (var i = 0; i < 200_000; i++)
        {
            text.Clear();
            var integerDigits = random.Next(0, 4);
            for (var d = 0; d < integerDigits; d++)
            {
                text.Append((char)('0' + (d == 0 && random.Next(2) == 0 ? random.Next(0, 2) : random.Next(0, 10))));
            }

            if (random.Next(8) != 0)
            {
                text.Append('.');
                var decimals = random.Next(0, 26);
                for (var d = 0; d < decimals; d++)
                {
                    text.Append((char)('0' + (random.Next(4) == 0 ? 9 : random.Next(0, 10))));
                }
            }

            if (random.Next(50) == 0)
            {
                text.Insert(random.Next(0, text.Length + 1), "-+e., x"[random.Next(7)]);
            }

            AssertAgrees(text.ToString());
        }
    }

    private static void AssertAgrees(string text)
    {
        var expectedOk = double.TryParse(text, Style, CultureInfo.InvariantCulture, out var expected);
        var ok = PlainDecimal.TryParse(text, out var value);
        Assert.True(expectedOk == ok, $"'{text}': double.TryParse says {expectedOk}, PlainDecimal {ok}");
        if (ok)
        {
            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(value), $"'{text}': {expected:R} expected, {value:R} parsed");
        }
    }
}
