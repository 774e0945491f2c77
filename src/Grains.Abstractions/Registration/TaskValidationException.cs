namespace TaskFlow;

/// <summary>A task submission was refused: <see cref="Field"/> names what was wrong (<c>name</c>, <c>args.address</c>…).</summary>
public sealed class TaskValidationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TaskValidationException(string field, string message) : base($"{field}: {message}")
    {
        Field = field;
        Problem = message;
    }

    /// <summary>The field at fault, as a path into the request body.</summary>
    public string Field { get; }

    /// <summary>What was wrong with it and what is accepted.</summary>
    public string Problem { get; }
}
