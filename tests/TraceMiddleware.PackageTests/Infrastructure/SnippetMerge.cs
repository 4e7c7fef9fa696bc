namespace TraceMiddleware.PackageTests.Infrastructure;

/// <summary>
/// Places a README snippet into a file a template generated, the way a reader follows it: a snippet line the file
/// already has (compared without surrounding spaces, in order) is where the reader is; every other line is typed in
/// after the last such line. A snippet that shares no line with the file goes at its end.
/// </summary>
public static class SnippetMerge
{
    public static IReadOnlyList<string> Merge(IReadOnlyList<string> file, IReadOnlyList<string> snippet)
    {
        var result = file.ToList();
        var hasAnchor = snippet.Any(line => line.Trim().Length > 0 && result.Any(existing => existing.Trim() == line.Trim()));
        var position = hasAnchor ? -1 : result.Count - 1;
        var pending = new List<string>();
        foreach (var line in snippet)
        {
            if (line.Trim().Length == 0)
            {
                continue;
            }

            var found = IndexAfter(result, position, line.Trim());
            if (found >= 0)
            {
                // Lines typed before the first line the file has go just above it.
                var insertAt = position < 0 ? found : position + 1;
                result.InsertRange(insertAt, pending);
                position = found + pending.Count;
                pending.Clear();
            }
            else if (position < 0)
            {
                pending.Add(line);
            }
            else
            {
                result.Insert(++position, line);
            }
        }

        result.InsertRange(position + 1, pending);
        return result;
    }

    private static int IndexAfter(List<string> lines, int position, string trimmed)
    {
        for (var i = position + 1; i < lines.Count; i++)
        {
            if (lines[i].Trim() == trimmed)
            {
                return i;
            }
        }

        return -1;
    }
}
