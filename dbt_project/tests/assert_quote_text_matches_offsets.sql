-- Every quote must be exactly the article text at its offsets (offsets are 0-based, end-exclusive).
select quotes.quote_id
from {{ ref('quotes') }} as quotes
inner join {{ ref('articles') }} as articles using (article_id)
where quotes.start_char < 0
   or quotes.end_char > length(articles.text)
   or quotes.start_char >= quotes.end_char
   or substring(articles.text, quotes.start_char + 1, quotes.end_char - quotes.start_char) <> quotes.quote_text
