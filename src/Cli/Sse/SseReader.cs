using System.Text;

namespace OpenDesign.Workflows.Cli.Sse;

/// <summary>
/// Reads <c>text/event-stream</c> frames as the HTML spec defines them: fields up to a blank line,
/// <c>:</c> comments ignored (the service's keep-alives), one optional space after the colon stripped.
/// </summary>
internal sealed class SseReader : IDisposable
{
    private readonly StreamReader reader;
    private readonly TimeSpan idleTimeout;

    /// <param name="idleTimeout">
    /// How long the stream may stay silent. The service sends a keep-alive every 25 s, so a longer silence
    /// means the connection is dead even if TCP has not noticed; the caller then reconnects.
    /// </param>
    public SseReader(Stream stream, TimeSpan idleTimeout)
    {
        reader = new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
        this.idleTimeout = idleTimeout;
    }

    /// <summary>The next event, or null at the end of the stream (a frame cut off by the end is dropped, as the spec says).</summary>
    /// <exception cref="TimeoutException">Nothing, not even a keep-alive, arrived within the idle timeout.</exception>
    public async Task<SseEvent?> ReadAsync(CancellationToken cancellationToken)
    {
        string? id = null;
        string? name = null;
        StringBuilder? data = null;
        var hasFields = false;

        while (true)
        {
            var line = await ReadLineAsync(cancellationToken);
            if (line is null)
            {
                return null;
            }

            if (line.Length == 0)
            {
                if (hasFields && (data is not null || name is not null))
                {
                    return new SseEvent(id, name ?? SseEvent.DefaultEventName, data?.ToString() ?? "");
                }

                (id, name, data, hasFields) = (null, null, null, false);
                continue;
            }

            if (line[0] == ':')
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' '))
            {
                value = value[1..];
            }

            hasFields = true;
            switch (field)
            {
                case "id":
                    id = value;
                    break;
                case "event":
                    name = value;
                    break;
                case "data":
                    data = data is null ? new StringBuilder(value) : data.Append('\n').Append(value);
                    break;
                default:
                    // "retry" and unknown fields: od chooses its own reconnect delay.
                    break;
            }
        }
    }

    public void Dispose() => reader.Dispose();

    private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(idleTimeout);
        try
        {
            return await reader.ReadLineAsync(idle.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no data for {idleTimeout.TotalSeconds:0} s");
        }
    }
}
