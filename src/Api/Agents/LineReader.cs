using System.Text;

namespace OpenDesign.Workflows.Api.Agents;

/// <summary>
/// Reads lines from an agent's output with bounded memory: a line longer than the limit keeps its first
/// <c>maxLength</c> characters and counts the rest, however long it runs, instead of being buffered whole
/// (<see cref="StreamReader.ReadLineAsync()"/> would hold a line of any size).
/// </summary>
internal sealed class LineReader(TextReader reader, int maxLength)
{
    private readonly char[] _buffer = new char[8192];
    private readonly StringBuilder _line = new();
    private int _start;
    private int _end;
    private int _cut;

    /// <summary>The next line without its line break and the characters cut from it, or null at the end.</summary>
    public async Task<(string Text, int Cut)?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_start == _end)
            {
                _end = await reader.ReadAsync(_buffer.AsMemory(), cancellationToken);
                _start = 0;
                if (_end == 0)
                {
                    if (_line.Length == 0 && _cut == 0) return null;
                    return Take();
                }
            }
            var newline = Array.IndexOf(_buffer, '\n', _start, _end - _start);
            var stop = newline < 0 ? _end : newline;
            Keep(_start, stop - _start);
            _start = newline < 0 ? _end : newline + 1;
            if (newline >= 0) return Take();
        }
    }

    private void Keep(int from, int count)
    {
        var room = Math.Max(0, maxLength - _line.Length);
        var kept = Math.Min(room, count);
        _line.Append(_buffer, from, kept);
        _cut += count - kept;
    }

    private (string, int) Take()
    {
        var text = _line.ToString();
        if (text.EndsWith('\r')) text = text[..^1];
        var result = (text, _cut);
        _line.Clear();
        _cut = 0;
        return result;
    }
}
