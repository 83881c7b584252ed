using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenDesign.Workflows.Contracts;

/// <summary>
/// Reads a value that is not a JSON string as absent (null) instead of refusing it: Open Design's rule for
/// <c>mediaExecution.mode</c>, where a non-string mode means the default. Written as a plain string.
/// </summary>
public sealed class LenientStringConverter : JsonConverter<string>
{
    public override bool HandleNull => true;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String) return reader.GetString();
        reader.Skip();
        return null;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
