namespace TraceMiddleware.Tracing;

/// <summary>
/// The <c>http.response.status_code</c> tag value, boxed once per code: <c>Activity.SetTag</c> takes an
/// object, and boxing the same few codes again on every request is garbage for nothing.
/// </summary>
internal static class StatusCodeTag
{
    private const int First = 100;
    private const int Last = 599;

    private static readonly object[] s_boxes = CreateBoxes();

    /// <summary>The boxed <paramref name="statusCode"/>; a shared box for 100–599, a new one otherwise.</summary>
    public static object Box(int statusCode) =>
        (uint)(statusCode - First) <= Last - First ? s_boxes[statusCode - First] : statusCode;

    private static object[] CreateBoxes()
    {
        var boxes = new object[Last - First + 1];
        for (var i = 0; i < boxes.Length; i++)
        {
            boxes[i] = First + i;
        }

        return boxes;
    }
}
