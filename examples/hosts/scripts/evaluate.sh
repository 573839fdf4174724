# Run by the app's CommandWork, in the app's folder (on a host: the copy lit keeps there).
for f in data/labels.csv notes/todo.md; do
  if [ -e "$f" ]; then echo "$f: here"; else echo "$f: not here"; fi
done
