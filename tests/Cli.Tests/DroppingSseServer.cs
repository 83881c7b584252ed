using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OpenDesign.Workflows.Cli.Tests;

/// <summary>
/// A raw HTTP server whose event stream dies mid-response: each connection gets the next script, sent as
/// chunked SSE, and a script that is not marked complete is cut off without the closing chunk, the way a
/// crashed service or a reset connection looks to a client.
/// </summary>
public sealed class DroppingSseServer : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly Task serving;

    public DroppingSseServer(params (string Frames, bool Complete)[] scripts)
    {
        listener.Start();
        serving = ServeAsync(scripts);
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

    /// <summary>The request head (request line and headers) of each connection, in order; read after od has exited.</summary>
    public List<string> RequestHeads { get; } = [];

    private async Task ServeAsync((string Frames, bool Complete)[] scripts)
    {
        foreach (var (frames, complete) in scripts)
        {
            using var client = await listener.AcceptTcpClientAsync(stop.Token);
            var stream = client.GetStream();
            RequestHeads.Add(await ReadHeadAsync(stream));

            var body = Encoding.UTF8.GetBytes(frames);
            var head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head + $"{body.Length:x}\r\n"), stop.Token);
            await stream.WriteAsync(body, stop.Token);
            await stream.WriteAsync(Encoding.ASCII.GetBytes(complete ? "\r\n0\r\n\r\n" : "\r\n"), stop.Token);
            await stream.FlushAsync(stop.Token);
            if (!complete)
            {
                await Task.Delay(100, stop.Token);
                client.Client.LingerState = new LingerOption(true, 0); // reset, not a clean close
            }
        }
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var bytes = new List<byte>();
        var buffer = new byte[1];
        while (!Encoding.ASCII.GetString([.. bytes]).EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(buffer) == 0)
            {
                break;
            }

            bytes.Add(buffer[0]);
        }

        return Encoding.ASCII.GetString([.. bytes]);
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        try
        {
            serving.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        stop.Dispose();
    }
}
