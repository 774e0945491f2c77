using System.Globalization;
using System.Text.RegularExpressions;

namespace TaskFlow.Endpoints;

/// <summary>Reads the time arguments of the API: ISO-8601 instants or a span back from now (<c>30m</c>, <c>6h</c>, <c>7d</c>).</summary>
internal static partial class TimeWindow
{
    public const string Accepted = "an ISO-8601 timestamp (2026-11-24T10:30:00Z) or a span back from now such as 90s, 30m, 6h or 7d (at most 36500d)";

    /// <summary>The longest span back from now: 100 years.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(36_500);

    public static bool TryParse(string? text, DateTimeOffset now, out DateTimeOffset? value)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        var match = Relative().Match(text.Trim());
        if (match.Success)
        {
            // Bounded before any TimeSpan is built: 99999999999999999999d must be refused, not overflow.
            if (!double.TryParse(match.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
                return false;
            var seconds = amount * match.Groups[2].Value switch
            {
                "s" => 1.0,
                "m" => 60.0,
                "h" => 3600.0,
                "d" => 86_400.0,
                _ => 7 * 86_400.0,
            };
            if (double.IsNaN(seconds) || seconds > Longest.TotalSeconds) return false;
            value = now - TimeSpan.FromSeconds(seconds);
            return true;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            value = at;
            return true;
        }
        return false;
    }

    [GeneratedRegex("^([0-9]+(?:\\.[0-9]+)?)(s|m|h|d|w)$")]
    private static partial Regex Relative();
}
