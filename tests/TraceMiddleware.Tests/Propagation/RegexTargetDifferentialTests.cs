using System.Text;
using System.Text.RegularExpressions;
using TraceMiddleware.Propagation;

namespace TraceMiddleware.Tests.Propagation;

/// <summary>
/// A regex target may skip its regular expression when a literal it requires is missing (RegexLiteralFilter).
/// Whatever the shortcut, the target must decide exactly as .NET's <see cref="Regex"/> does: seeded random
/// patterns, inside the modelled syntax and just outside it, against random URL-like texts.
/// </summary>
public sealed class RegexTargetDifferentialTests
{
    private const string TextAlphabet = "ab/:.-c";

    [Fact]
    public void RegexTarget_DecidesExactlyAsRegex_OnRandomPatternsAndTexts()
    {
        var random = new Random(20261121);
        var compared = 0;
        var matched = 0;
        for (var p = 0; p < 3_000; p++)
        {
            var pattern = Pattern(random);
            Regex reference;
            try
            {
                reference = new Regex(pattern, RegexOptions.CultureInvariant);
            }
            catch (ArgumentException)
            {
                continue;
            }

            var fromString = pattern[0] == '^' ? new TracePropagationTarget(pattern) : null;
            var fromCode = new TracePropagationTarget(new Regex(pattern));
            for (var t = 0; t < 40; t++)
            {
                var text = Text(random, pattern);
                var expected = reference.IsMatch(text);
                Assert.True(expected == fromCode.IsMatch(text), $"pattern '{pattern}' (Regex from code) on '{text}': expected {expected}");
                if (fromString is not null)
                {
                    Assert.True(expected == fromString.IsMatch(text), $"pattern '{pattern}' on '{text}': expected {expected}");
                }

                compared++;
                matched += expected ? 1 : 0;
            }
        }

        // Both outcomes must be exercised, or the comparison proves little.
        Assert.InRange(matched, compared / 20, compared - (compared / 20));
    }

    private static string Pattern(Random random)
    {
        var pattern = new StringBuilder();
        if (random.Next(4) != 0)
        {
            pattern.Append('^');
        }

        var elements = random.Next(1, 7);
        for (var i = 0; i < elements; i++)
        {
            pattern.Append(random.Next(14) switch
            {
                0 or 1 or 2 or 3 => Literal(random, random.Next(1, 5)),
                4 => "\\.",
                5 => ".",
                6 => "[a-c]",
                7 => "[^/]",
                8 => "(" + Literal(random, 1) + "|" + Literal(random, 2) + ")",
                9 => "(?:" + Literal(random, 2) + ")",
                10 => "(?i)" + Literal(random, 1),
                11 => "\\w",
                12 => Literal(random, 1) + "|" + Literal(random, 1),
                _ => "$",
            });

            if (random.Next(4) == 0)
            {
                string[] quantifiers = ["?", "*", "+", "{1,2}", "{0}", "{2}", "*?", "+?"];
                pattern.Append(quantifiers[random.Next(quantifiers.Length)]);
            }
        }

        return pattern.ToString();
    }

    private static string Literal(Random random, int length)
    {
        var text = new char[length];
        for (var i = 0; i < length; i++)
        {
            text[i] = "ab/:-cA"[random.Next(7)];
        }

        return new string(text);
    }

    // Texts built partly from the pattern's own characters, so that matches are common enough to compare.
    private static string Text(Random random, string pattern)
    {
        var text = new StringBuilder();
        var length = random.Next(0, 12);
        var literal = pattern.Replace("\\", string.Empty, StringComparison.Ordinal).Trim('^', '$');
        if (random.Next(2) == 0 && literal.Length > 0)
        {
            text.Append(literal.Where(c => TextAlphabet.Contains(c) || c == 'A').ToArray());
        }

        for (var i = 0; i < length; i++)
        {
            var at = random.Next(text.Length + 1);
            text.Insert(at, TextAlphabet[random.Next(TextAlphabet.Length)]);
        }

        return text.ToString();
    }
}
