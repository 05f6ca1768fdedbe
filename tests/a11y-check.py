#!/usr/bin/python3
# a11y-check.py: Yatai as a screen reader sees it, driven through AT-SPI alone.
#
# Run by tests/a11y-check.sh inside its own D-Bus session (at-spi2-core's bus and registry) under Xvfb.
# It starts the real program on a new store with the demo menu, walks every page, dialog and window, and
# fails on any control a person can act on that has no name (GTK 4.8 reports a widget without one under
# its type name, "GtkImage"), on a name read twice ("_Save Save"), and on a window without a title. It
# then takes an order with the tiles and the quick amounts, moves it through the Kitchen with doAction
# alone, recalls it, and checks the store after each step.
#
# Usage: a11y-check.py PROGRAM (A11Y_ONLY=windows: only the windows of the main menu, when working on them)
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

import pyatspi

PROGRAM = sys.argv[1]
WAIT = 30.0  # seconds: generous for a loaded machine; every wait ends as soon as its condition holds

# Roles of the things a person acts on. Focusable cells, rows and list items count too: a screen
# reader lands on them.
CONTROLS = {
    pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_TOGGLE_BUTTON, pyatspi.ROLE_CHECK_BOX,
    pyatspi.ROLE_RADIO_BUTTON, pyatspi.ROLE_COMBO_BOX, pyatspi.ROLE_MENU_ITEM,
    pyatspi.ROLE_CHECK_MENU_ITEM, pyatspi.ROLE_RADIO_MENU_ITEM, pyatspi.ROLE_PAGE_TAB,
    pyatspi.ROLE_ENTRY, pyatspi.ROLE_PASSWORD_TEXT, pyatspi.ROLE_SPIN_BUTTON, pyatspi.ROLE_SLIDER,
    pyatspi.ROLE_LINK,
}
CELLS = {pyatspi.ROLE_TABLE_CELL, pyatspi.ROLE_TABLE_ROW, pyatspi.ROLE_LIST_ITEM}
TYPE_NAME = re.compile(r'^(Gtk|Adw|Yatai)[A-Z][A-Za-z]*$')

problems = []
checked = set()


def log(*args):
    print('#', *args, flush=True)


def wait_for(what, condition, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = condition()
        except Exception:  # a node went away while we looked: look again
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise SystemExit(f'not ok: timed out waiting for {what}')
        time.sleep(0.1)


def walk(node, hidden=True, collapsed=False):
    """node and what is under it; with hidden False, not what is hidden: a closed popover, or the
    choices of a collapsed combo row (libadwaita keeps them in the tree)."""
    try:
        role = node.getRole()
        if not hidden:
            states = node.getState()
            if not states.contains(pyatspi.STATE_VISIBLE) or (collapsed and role == pyatspi.ROLE_LIST):
                return
            if role == pyatspi.ROLE_COMBO_BOX and not states.contains(pyatspi.STATE_EXPANDED):
                collapsed = True
        children = list(node)
    except Exception:
        return
    yield node
    for child in children:
        if child is not None:
            yield from walk(child, hidden, collapsed)


def actions(node):
    try:
        action = node.queryAction()
    except NotImplementedError:
        return []
    names = []
    for i in range(action.nActions):
        try:
            names.append(action.getName(i))
        except Exception:
            names.append('')
    return names


def click(node, what):
    log('click', what)
    action = node.queryAction()
    for i in range(action.nActions):
        if action.getName(i) == 'click':
            action.doAction(i)
            return
    raise SystemExit(f'not ok: {what} has no click action')


def click_found(what, finder):
    """Finds a node and clicks it, finding it again when it went away in between (a list that rebuilt
    its rows, say: the old row's object then has no actions left)."""
    wait_for(what, lambda: click(finder(), what) or True)


def is_named(name):
    return name is not None and name.strip() != '' and not TYPE_NAME.match(name)


def read_twice(name):
    """'_Exact Exact': the mnemonic label and the label it shows, one after the other."""
    words = name.split(' ')
    for cut in range(1, len(words)):
        first, second = ' '.join(words[:cut]), ' '.join(words[cut:])
        if first.replace('_', '') == second:
            return True
    return False


def has_mnemonic(name):
    """'_Save': an underline a screen reader would read out."""
    return re.search(r'(^|\W)_\w', name) is not None


def path_of(node):
    parts = []
    while node is not None and len(parts) < 6:
        try:
            parts.append(f'{node.getRoleName()}:{node.name!r}')
            node = node.parent
        except Exception:
            break
    return ' < '.join(parts)


def check_tree(root, where):
    """Every control under root has a name, read once."""
    n = 0
    for node in walk(root, hidden=False):
        try:
            role = node.getRole()
            name = node.name
            states = node.getState()
        except Exception:
            continue
        control = role in CONTROLS or (role in CELLS and states.contains(pyatspi.STATE_FOCUSABLE))
        if not control:
            continue
        n += 1
        key = (where, path_of(node))
        if key in checked:
            continue
        checked.add(key)
        if not is_named(name):
            inside = ', '.join(f'{c.getRoleName()}:{c.name!r}' for c in walk(node) if c is not node)[:200]
            problems.append(f'{where}: no name: {path_of(node)} (description {node.description!r}; '
                            f'holding {inside})')
        elif read_twice(name) or has_mnemonic(name):
            problems.append(f'{where}: name read twice or with its mnemonic: {name!r}: {path_of(node)}')
    return n


def check_window(window, where, title=None):
    name = window.name
    if not is_named(name) or name == 'yatai':
        problems.append(f'{where}: the window has no title of its own ({name!r})')
    elif title is not None and name != title:
        problems.append(f'{where}: the window is called {name!r}, not {title!r}')
    n = check_tree(window, where)
    log(f'{where}: {n} controls looked at')


def find(root, role, name=None, action=None, description=None, hidden=True):
    for node in walk(root, hidden):
        try:
            if node.getRole() != role:
                continue
            if name is not None and node.name != name:
                continue
            if description is not None and node.description != description:
                continue
            if action is not None and action not in actions(node):
                continue
            return node
        except Exception:
            continue
    return None


def find_all(root, role, predicate):
    found = []
    for node in walk(root):
        try:
            if node.getRole() == role and predicate(node):
                found.append(node)
        except Exception:
            continue
    return found


def windows(app):
    return [w for w in app if w is not None]


def new_window(app, before, what):
    return wait_for(what, lambda: next((w for w in windows(app) if w not in before), None))


def close_window(app, window, what):
    before = len(windows(app))
    close = (find(window, pyatspi.ROLE_PUSH_BUTTON, name='Close', action='click', hidden=False) or
             find(window, pyatspi.ROLE_PUSH_BUTTON, name='Cancel', action='click', hidden=False))
    if close is None:
        raise SystemExit(f'not ok: {what} has no Close button')
    click(close, f'{close.name} ({what})')
    gone = lambda: len(windows(app)) < before or not window.getState().contains(pyatspi.STATE_SHOWING)
    try:
        wait_for(f'{what} to close', gone, timeout=10)
    except SystemExit:
        press_key(0xff1b)  # Escape, as a keyboard user closes it
        wait_for(f'{what} to close', gone)


def double_click(node, what):
    """GTK 4.8 has no AT-SPI action on a list row, and no "grab focus": a double click on it, as a
    mouse user opens it (Enter does the same for the keyboard)."""
    box = node.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    log(f'double click {what} at {box.x + box.width // 2},{box.y + box.height // 2}')
    pyatspi.Registry.generateMouseEvent(box.x + box.width // 2, box.y + box.height // 2, 'b1d')


def press_key(keysym):
    """Presses and releases a key, through the registry (XTest under Xvfb)."""
    pyatspi.Registry.generateKeyboardEvent(keysym, None, pyatspi.KEY_SYM)


def the_card(root):
    """The Kitchen's card of order 1 (a panel named "Order 1, Waiting"), not the grid cell around it."""
    cards = find_all(root, pyatspi.ROLE_PANEL, lambda n: n.name.startswith('Order 1,'))
    return cards[0] if cards else None


def order_status(store, call_number):
    with sqlite3.connect(store) as db:
        row = db.execute('SELECT status FROM orders WHERE call_number = ? ORDER BY id DESC LIMIT 1',
                         (call_number,)).fetchone()
    return row[0] if row else None


def main():
    tmp = tempfile.mkdtemp(prefix='yatai-a11y-')
    store = os.path.join(tmp, 'store.sqlite3')
    env = dict(os.environ)
    if env.get('YATAI_G_DEBUG'):
        env['G_DEBUG'] = env['YATAI_G_DEBUG']
    proc = subprocess.Popen([PROGRAM, '--store', store, '--demo-if-empty'], env=env)
    try:
        run(proc, store)
    except SystemExit as stop:
        problems.append(str(stop))
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    if problems:
        for p in problems:
            print('not ok:', p)
        print(f'{len(problems)} problems')
        sys.exit(1)
    if os.environ.get('A11Y_ONLY') == 'windows':
        print('ok: every control of the windows of the main menu has a name')
    else:
        print('ok: every control has a name, and an order went through by AT-SPI actions alone')


def run(proc, store):
    desktop = pyatspi.Registry.getDesktop(0)

    def the_app():
        for a in desktop:
            if a is not None and a.get_process_id() == proc.pid and a.childCount > 0:
                return a
        return None
    app = wait_for('Yatai on the accessibility bus', the_app)
    main_window = wait_for('the main window', lambda: windows(app)[0])
    wait_for('the demo menu', lambda: find(main_window, pyatspi.ROLE_PAGE_TAB, name='Register'))

    pages = {}
    for name in ('Reception', 'Kitchen', 'Orders', 'Sales', 'Register'):
        pages[name] = wait_for(f'the {name} tab', lambda: find(main_window, pyatspi.ROLE_PAGE_TAB, name=name))

    if os.environ.get('A11Y_ONLY') == 'windows':
        return menu_windows(app, main_window)

    # Every page as it shows (names are mended as a widget is shown), then the whole window once.
    for name, tab in pages.items():
        click(tab, f'the {name} tab')
        time.sleep(0.5)
    check_window(main_window, 'the main window')

    def page(type_name):
        return find(main_window, pyatspi.ROLE_FILLER, name=type_name)

    # Reception: three items by tapping their tiles, the amount by a quick button, Confirm: 5 taps.
    click(pages['Reception'], 'the Reception tab')
    tile = lambda prefix: wait_for(prefix, lambda: find_all(
        main_window, pyatspi.ROLE_PUSH_BUTTON, lambda n: n.name.startswith(prefix) and 'click' in actions(n))[0])
    taps = 0
    for prefix in ('焼きそば', '焼きそば', 'ラムネ'):
        click(tile(prefix), f'the tile {prefix}')
        taps += 1
    # The tile says what is left now (80 at the start, 2 in the cart).
    wait_for('the tile to count the cart', lambda: tile('焼きそば, ¥500, 78 left'))
    # ¥500 × 2 + ¥200 = ¥1,200: the customer hands over ¥2,000.
    quick = wait_for('the ¥2,000 quick amount', lambda: find(main_window, pyatspi.ROLE_PUSH_BUTTON, name='¥2,000',
                                                            action='click'))
    click(quick, '¥2,000')
    taps += 1
    confirm = wait_for('Confirm to be possible', lambda: next(
        (n for n in find_all(main_window, pyatspi.ROLE_PUSH_BUTTON, lambda n: n.name == 'Confirm Order')
         if n.getState().contains(pyatspi.STATE_SENSITIVE)), None))
    check_tree(page('YataiReceptionPage'), 'Reception with an order')
    click(confirm, 'Confirm Order')
    taps += 1
    wait_for('the order in the store', lambda: order_status(store, 1) == 'pending')
    with sqlite3.connect(store) as db:
        total, paid = db.execute('SELECT total, paid FROM orders WHERE call_number = 1').fetchone()
    if (total, paid) != (1200, 2000):
        problems.append(f'the order was stored with total {total} and paid {paid}, not 1200 and 2000')
    log(f'order 1 confirmed in {taps} taps')
    if taps > 6:
        problems.append(f'a three-item cash order took {taps} taps')

    # Kitchen: the card is one named group; Start, then Ready, by doAction alone.
    click(pages['Kitchen'], 'the Kitchen tab')
    card = wait_for('the card of order 1', lambda: the_card(main_window))
    log('card:', repr(card.name), repr(card.description))
    if '焼きそば' not in card.description:
        problems.append(f'the card does not describe its lines: {card.description!r}')
    check_tree(page('YataiKitchenPage'), 'Kitchen with an order')
    click(wait_for('Start', lambda: find(card, pyatspi.ROLE_PUSH_BUTTON, name='Start', action='click')), 'Start')
    wait_for('order 1 being made', lambda: order_status(store, 1) == 'processing')
    card = wait_for('the card again', lambda: the_card(main_window))
    click(wait_for('Ready', lambda: find(card, pyatspi.ROLE_PUSH_BUTTON, name='Ready', action='click')), 'Ready')
    wait_for('order 1 completed', lambda: order_status(store, 1) == 'completed')

    # Recall: the list, one tap, and it closes.
    recall = wait_for('Recall', lambda: find(main_window, pyatspi.ROLE_TOGGLE_BUTTON, name='Recall', action='click')
                      or find(main_window, pyatspi.ROLE_PUSH_BUTTON, name='Recall', action='click'))
    before = windows(app)
    click(recall, 'Recall')
    def bring_back():
        return next(iter(find_all(app, pyatspi.ROLE_PUSH_BUTTON, lambda n: n.name.startswith('Bring Back Order 1')
                                  and n.getState().contains(pyatspi.STATE_VISIBLE) and 'click' in actions(n))), None)
    wait_for('Bring Back for order 1', bring_back)
    check_tree(page('YataiKitchenPage'), 'Recall')
    click_found('Bring Back Order 1', bring_back)
    wait_for('order 1 back in the kitchen', lambda: order_status(store, 1) == 'processing')
    card = wait_for('the card back', lambda: the_card(main_window))
    click(wait_for('Ready', lambda: find(card, pyatspi.ROLE_PUSH_BUTTON, name='Ready', action='click')), 'Ready')
    wait_for('order 1 completed again', lambda: order_status(store, 1) == 'completed')

    # Orders: the row, and the order editor.
    click(pages['Orders'], 'the Orders tab')
    row = wait_for('the row of order 1', lambda: next(iter(find_all(
        main_window, pyatspi.ROLE_TABLE_ROW, lambda n: n.name.startswith('Order 1,'))), None))
    check_tree(page('YataiOrdersPage'), 'Orders with an order')
    before = windows(app)
    # A screen reader's user opens it as anyone with a keyboard does: the row has the focus, Enter.
    log('focus the row', repr(row.name), repr(row.description))
    if '焼きそば ×2' not in row.description:
        problems.append(f'the Orders row does not describe its lines: {row.description!r}')
    double_click(row, 'the row of order 1')
    editor = new_window(app, before, 'the order editor')
    check_window(editor, 'the order editor')
    close_window(app, editor, 'the order editor')

    # Register: the product editor, new and for a product.
    click(pages['Register'], 'the Register tab')
    before = windows(app)
    click(wait_for('Add Product', lambda: find(main_window, pyatspi.ROLE_PUSH_BUTTON, name='Add Product',
                                               action='click')), 'Add Product')
    editor = new_window(app, before, 'the product editor')
    check_window(editor, 'the new product editor', title='New Product')
    close_window(app, editor, 'the new product editor')
    before = windows(app)
    click(wait_for('Edit: 焼きそば', lambda: find(main_window, pyatspi.ROLE_PUSH_BUTTON, name='Edit: 焼きそば',
                                               action='click')), 'Edit: 焼きそば')
    editor = new_window(app, before, 'the product editor')
    check_window(editor, 'the product editor', title='焼きそば')
    close_window(app, editor, 'the product editor')

    # Sales: the CSV menu.
    click(pages['Sales'], 'the Sales tab')
    csv = wait_for('the CSV menu', lambda: find(main_window, pyatspi.ROLE_TOGGLE_BUTTON, name='CSV', action='click')
                   or find(main_window, pyatspi.ROLE_PUSH_BUTTON, name='CSV', action='click'))
    click(csv, 'CSV')
    menu = wait_for('the CSV menu open', lambda: find(page('YataiSalesPage'), pyatspi.ROLE_MENU))
    check_tree(menu, 'the CSV menu')
    press_key(0xff1b)  # Escape

    menu_windows(app, main_window)


def menu_windows(app, main_window):
    """The main menu, and each window it opens."""
    for item, title in (('Preferences', 'Preferences'), ('Keyboard Shortcuts', 'Shortcuts'),
                        ('About Yatai', 'About'), ('Call Board', 'Call Board')):
        menu = wait_for('the main menu', lambda: find(main_window, pyatspi.ROLE_TOGGLE_BUTTON, name='Main Menu',
                                                      action='click')
                        or find(main_window, pyatspi.ROLE_PUSH_BUTTON, name='Main Menu', action='click'))
        click(menu, 'Main Menu')
        entry = wait_for(item, lambda: next((n for n in find_all(app, pyatspi.ROLE_MENU_ITEM,
                                                                 lambda n: n.name == item)), None))
        check_tree(entry.parent, 'the main menu')
        before = windows(app)
        click(entry, item)
        window = new_window(app, before, title)
        wait_for(f'{title} to fill', lambda: window.childCount > 0)
        time.sleep(0.5)
        check_window(window, title)
        if title == 'Call Board' and os.environ.get('A11Y_ONLY') != 'windows':
            if find_all(window, pyatspi.ROLE_LABEL, lambda n: n.name == '1') == []:
                problems.append('the call board does not show order 1 as ready')
        close_window(app, window, title)


if __name__ == '__main__':
    main()
