using System.Text;

namespace TraceMiddleware.Testing;

/// <summary>
/// Seeded random text for parser fuzz tests: strings drawn from a test's own alphabet, and near misses made
/// by a few edits to a valid value. The same <see cref="Random"/> state gives the same strings.
/// </summary>
public static class FuzzText
{
    /// <summary>A string of 0 to <paramref name="lengthBound"/> - 1 characters, each drawn from <paramref name="alphabet"/>.</summary>
    public static string Random(Random random, string alphabet, int lengthBound)
    {
        var builder = new StringBuilder();
        var length = random.Next(0, lengthBound);
        for (var i = 0; i < length; i++)
        {
            builder.Append(alphabet[random.Next(alphabet.Length)]);
        }

        return builder.ToString();
    }

    /// <summary>
    /// <paramref name="seed"/> after 0 to <paramref name="editsBound"/> - 1 edits, each removing a character,
    /// inserting one from <paramref name="inserts"/>, or replacing one with it; an emptied string stays empty.
    /// </summary>
    public static string Mutate(Random random, string seed, string inserts, int editsBound)
    {
        var builder = new StringBuilder(seed);
        var edits = random.Next(0, editsBound);
        for (var e = 0; e < edits && builder.Length > 0; e++)
        {
            var at = random.Next(builder.Length);
            switch (random.Next(3))
            {
                case 0:
                    builder.Remove(at, 1);
                    break;
                case 1:
                    builder.Insert(at, inserts[random.Next(inserts.Length)]);
                    break;
                default:
                    builder[at] = inserts[random.Next(inserts.Length)];
                    break;
            }
        }

        return builder.ToString();
    }
}
