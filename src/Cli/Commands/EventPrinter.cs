using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using OpenDesign.Workflows.Cli.Sse;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Cli.Commands;

/// <summary>
/// Prints run events: <c>#&lt;id&gt; &lt;event&gt; &lt;action&gt; &lt;requestId&gt; &lt;status&gt;</c> for people (a <c>-</c> where an
/// event has no such field), or one <c>{"id","event","data"}</c> JSON object per line for programs.
/// </summary>
internal sealed class EventPrinter(CommandContext context)
{
    /// <summary>The name of the run's terminal event; its data is a <see cref="RunEndPayload"/>.</summary>
    public const string EndEvent = RunEndPayload.EventName;

    private static readonly JsonWriterOptions LineOptions = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public int Printed { get; private set; }

    public void Print(SseEvent e)
    {
        context.Out.WriteLine(context.Json ? JsonLine(e) : HumanLine(e));
        Printed++;
    }

    private static string HumanLine(SseEvent e)
    {
        string? action = null, requestId = null, status = null;
        try
        {
            if (e.Event == MediaRequestEvent.EventName && JsonSerializer.Deserialize(e.Data, OdJsonContext.Default.MediaRequestEvent) is { } media)
            {
                (action, requestId, status) = (media.Action, media.Request.Id, media.Request.Status);
            }
            else if (e.Event == EndEvent && JsonSerializer.Deserialize(e.Data, OdJsonContext.Default.RunEndPayload) is { } end)
            {
                status = end.Status;
                if (end.Code is not null || end.Reason is not null)
                {
                    return $"#{Dash(e.Id)} end {end.Status}{(end.Code is { } code ? $" exit {code}" : "")}{(end.Reason is { } why ? $": {why}" : "")}";
                }
            }
            else if (e.Event is AgentOutputPayload.StdoutEvent or AgentOutputPayload.StderrEvent
                && JsonSerializer.Deserialize(e.Data, OdJsonContext.Default.AgentOutputPayload) is { } output)
            {
                // The agent's own line, as it wrote it (only the prefix is od's).
                return $"#{Dash(e.Id)} {e.Event} {output.Chunk}{(output.Truncated is { } cut ? $" [+{cut} characters]" : "")}";
            }
            else if (e.Event == AgentStartPayload.EventName && JsonSerializer.Deserialize(e.Data, OdJsonContext.Default.AgentStartPayload) is { } start)
            {
                return $"#{Dash(e.Id)} start {start.AgentId} pid {start.Pid}: {start.Command} in {start.Cwd}";
            }
            else if (e.Event == AgentOutputDropped.EventName && JsonSerializer.Deserialize(e.Data, OdJsonContext.Default.AgentOutputDropped) is { } dropped)
            {
                return $"#{Dash(e.Id)} {e.Event} {dropped.Lines} {dropped.Stream} lines dropped (the agent wrote faster than the service stores)";
            }
        }
        catch (JsonException)
        {
            // A payload this od does not understand still gets its line; --json shows it whole.
        }

        return $"#{Dash(e.Id)} {e.Event} {Dash(action)} {Dash(requestId)} {Dash(status)}";
    }

    private static string JsonLine(SseEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, LineOptions))
        {
            writer.WriteStartObject();
            if (e.Sequence is { } sequence)
            {
                writer.WriteNumber("id", sequence);
            }
            else if (e.Id is not null)
            {
                writer.WriteString("id", e.Id);
            }
            else
            {
                writer.WriteNull("id");
            }

            writer.WriteString("event", e.Event);
            writer.WritePropertyName("data");
            WriteData(writer, e.Data);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteData(Utf8JsonWriter writer, string data)
    {
        try
        {
            using var document = JsonDocument.Parse(data);
            document.RootElement.WriteTo(writer);
        }
        catch (JsonException)
        {
            writer.WriteStringValue(data);
        }
    }

    private static string Dash(string? value) => string.IsNullOrEmpty(value) ? "-" : value;
}
