using System.Net.Sockets;
using System.Text;

namespace TraceMiddleware.IntegrationTests.Tunnel;

/// <summary>
/// A raw HTTP/1.1 client on a socket of its own, for what HttpClient will not do: declare a body and send
/// only part of it (or none), then wait, as a slow or hostile client does.
/// </summary>
public sealed class SlowClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly List<byte> _received = [];

    private SlowClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <summary>Connects and sends a POST to <paramref name="path"/> declaring <paramref name="contentLength"/> bytes, then <paramref name="bodyStart"/> of them.</summary>
    public static async Task<SlowClient> PostAsync(Uri baseAddress, string path, long contentLength, byte[] bodyStart)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(baseAddress.Host, baseAddress.Port);
        var client = new SlowClient(tcp);
        var head = $"POST {path} HTTP/1.1\r\nHost: {baseAddress.Authority}\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: {contentLength}\r\n\r\n";
        await client._stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await client._stream.WriteAsync(bodyStart);
        await client._stream.FlushAsync();
        return client;
    }

    /// <summary>Whether the server has answered or closed the connection already (nothing is read).</summary>
    public bool HasAnswered => _received.Count > 0 || _tcp.Client.Poll(0, SelectMode.SelectRead);

    /// <summary>Sends more of the body.</summary>
    public async Task SendAsync(byte[] data) => await _stream.WriteAsync(data);

    /// <summary>Reads until the response's headers are in: its status line and headers, lower-case names.</summary>
    public async Task<(int Status, Dictionary<string, string> Headers)> ReadResponseHeadAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        while (IndexOfHeadEnd() < 0)
        {
            var read = await _stream.ReadAsync(buffer, cancel.Token);
            if (read == 0)
            {
                throw new IOException("The server closed the connection without an answer.");
            }

            _received.AddRange(buffer.AsSpan(0, read));
        }

        var lines = Encoding.ASCII.GetString([.. _received], 0, IndexOfHeadEnd()).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = lines.Skip(1)
            .Select(l => l.Split(':', 2))
            .ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
        return (status, headers);
    }

    /// <summary>Reads (and drops) whatever else comes until the server closes the connection; false if it is still open after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForCloseAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        try
        {
            while (await _stream.ReadAsync(buffer, cancel.Token) > 0)
            {
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            // A reset is a close too.
            return true;
        }
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }

    private int IndexOfHeadEnd()
    {
        for (var i = 3; i < _received.Count; i++)
        {
            if (_received[i - 3] == '\r' && _received[i - 2] == '\n' && _received[i - 1] == '\r' && _received[i] == '\n')
            {
                return i - 3;
            }
        }

        return -1;
    }
}
